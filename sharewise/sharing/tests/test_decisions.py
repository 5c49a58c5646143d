"""Recording consent, capacity and sharing decisions through the pages: what staff
see, what is refused, and what the record holds afterwards."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import record_concern
from sharewise.audittrail.models import Entry
from sharewise.concerns.chronology import person_ids_for
from sharewise.patterns import sweep
from sharewise.patterns.models import Alert, AlertDecision, Notification
from sharewise.sharing import decisions
from sharewise.sharing.models import (
    AdviceRequest,
    CapacityAssessment,
    ConsentRecord,
    Draft,
    SharingDecision,
)
from sharewise.sharing.tests.stories import REFUSED, by, do_not_share, share_without_consent

# Consent and capacity -------------------------------------------------------------


def test_a_care_worker_records_a_refusal_in_the_persons_words(cast, as_user):
    client = as_user(cast.nia)
    response = client.post(
        f"/people/{cast.alice.pk}/consent/new/",
        {
            "purpose": "Telling the local authority about her son's calls",
            "outcome": "refused",
            "explained_how": "Sat with her and explained who would be told and why.",
            "persons_words": "No. Leave it.",
            "capacity": "presumed",
        },
    )
    assert response.status_code == 302
    consent = ConsentRecord.objects.get(person=cast.alice)
    assert consent.outcome == "refused" and consent.persons_words == "No. Leave it."
    assert consent.asked_by == cast.nia
    assert Entry.objects.filter(action="recorded consent", person_id=cast.alice.pk).exists()


def test_consent_not_sought_needs_a_reason_and_nothing_is_saved(cast, as_user):
    page = as_user(cast.nia).post(
        f"/people/{cast.alice.pk}/consent/new/",
        {"purpose": "Referral", "outcome": "not_sought", "capacity": "presumed"},
    )
    assert page.status_code == 200
    assert "Say why consent was not sought" in page.content.decode()
    assert not ConsentRecord.objects.exists()


def test_claiming_an_assessed_capacity_needs_an_assessment(cast):
    with pytest.raises(ValidationError) as error:
        decisions.record_consent(
            by(cast.nia),
            cast.alice,
            {
                "purpose": "Referral",
                "outcome": "refused",
                "explained_how": "Explained",
                "capacity": "has_capacity",
            },
        )
    assert "no current capacity assessment" in str(error.value.message_dict["capacity"])


def test_the_two_stage_test_lack_of_capacity_needs_an_impairment(cast, as_user):
    client = as_user(cast.helen)
    base = {
        "decision": "Whether to agree to the local authority being told about the bruising",
        "help_given": "Explained in short sentences with her daughter present.",
        "can_understand": "yes",
        "can_retain": "no",
        "can_use_or_weigh": "no",
        "can_communicate": "yes",
        "evidence": "Could not recall what we had discussed five minutes later.",
    }
    page = client.post(f"/people/{cast.alice.pk}/capacity/new/", {**base})
    assert "impairment of, or disturbance in, the mind or brain" in page.content.decode()
    # Unable, but not because of an impairment: the person has capacity (stage 2 fails).
    client.post(f"/people/{cast.alice.pk}/capacity/new/", {**base, "impairment": "no"})
    assert CapacityAssessment.objects.get().lacks_capacity is False
    page = client.post(
        f"/people/{cast.alice.pk}/capacity/new/",
        {**base, "impairment": "yes", "impairment_detail": "Advanced dementia"},
    )
    assert "record the best-interests decision" in page.content.decode()
    assert CapacityAssessment.objects.count() == 1


# The wizard -------------------------------------------------------------------------


def _walk(client, draft_id, answers):
    """Answer every step, as a user clicking Continue."""
    steps = {
        "purpose": {
            "question": "Should we share?",
            "purpose_text": "To protect Alice",
            "purpose": answers.get("purpose", "yes"),
        },
        "information": {"identifiable": "yes", "confidential": "yes"},
        "consent": {
            "consent": answers.get("consent", "refused"),
            "capacity": answers.get("capacity", "presumed"),
        },
        "risk": {"grounds": answers.get("grounds", []), "at_risk": "yes"},
        "necessity": {"necessary": "yes", "proportionality": "She is at risk."},
        "recipient": {
            "recipient": "Northshire County Council",
            "recipient_role": "Adult safeguarding team",
            "content": "The concerns and what she said",
            "channel": "secure_email",
        },
        "telling": {"tell_person": "yes"},
    }
    for step, data in steps.items():
        response = client.post(f"/sharing/drafts/{draft_id}/{step}/", {**data, "go": "next"})
        assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(f"/sharing/drafts/{draft_id}/recommendation/").content.decode()


def test_going_back_keeps_every_answer_and_an_unticked_box_is_taken_back(cast, as_user):
    client = as_user(cast.sarah)
    client.post(f"/people/{cast.alice.pk}/sharing-decisions/new/")
    draft = Draft.objects.get()
    client.post(
        f"/sharing/drafts/{draft.pk}/risk/",
        {"grounds": ["crime", "coercion"], "at_risk": "yes", "go": "next"},
    )
    # Back from the next step without finishing it: the partial answer is kept too.
    client.post(f"/sharing/drafts/{draft.pk}/necessity/", {"proportionality": "Half", "go": "back"})
    page = client.get(f"/sharing/drafts/{draft.pk}/risk/").content.decode()
    assert 'value="crime" checked' in page and 'value="coercion" checked' in page
    draft.refresh_from_db()
    assert draft.answers["proportionality"] == "Half"
    client.post(
        f"/sharing/drafts/{draft.pk}/risk/", {"grounds": ["crime"], "at_risk": "yes", "go": "next"}
    )
    draft.refresh_from_db()
    assert draft.answers["grounds"] == ["crime"]


def test_a_step_left_unanswered_says_what_to_fix(cast, as_user):
    client = as_user(cast.nia)
    client.post(f"/people/{cast.alice.pk}/sharing-decisions/new/")
    draft = Draft.objects.get()
    page = client.post(f"/sharing/drafts/{draft.pk}/purpose/", {"go": "next"}).content.decode()
    assert "There is a problem" in page
    assert "Is there a clear and legitimate purpose for sharing?: choose an answer" in page


def test_only_the_author_or_a_lead_opens_a_draft(cast, as_user):
    as_user(cast.nia).post(f"/people/{cast.alice.pk}/sharing-decisions/new/")
    draft = Draft.objects.get()
    assert as_user(cast.tom).get(f"/sharing/drafts/{draft.pk}/purpose/").status_code == 404
    assert as_user(cast.helen).get(f"/sharing/drafts/{draft.pk}/purpose/").status_code == 404
    assert as_user(cast.sarah).get(f"/sharing/drafts/{draft.pk}/purpose/").status_code == 200


def test_a_care_worker_sees_the_recommendation_but_a_manager_or_lead_decides(cast, as_user):
    client = as_user(cast.nia)
    client.post(f"/people/{cast.alice.pk}/sharing-decisions/new/")
    draft = Draft.objects.get()
    page = _walk(client, draft.pk, {"grounds": ["others_at_risk"]})
    assert "Recommendation: Share without consent" in page
    assert "Other adults or children are at risk" in page
    assert "Ask the safeguarding lead" in page
    response = client.post(
        f"/sharing/drafts/{draft.pk}/recommendation/", {**share_without_consent(), "go": "record"}
    )
    assert response.status_code == 403
    assert not SharingDecision.objects.exists()


def test_refusal_with_rising_risk_recorded_by_a_manager_waits_for_the_lead(cast, as_user):
    for days in (2, 3, 4):
        record_concern(cast, days_ago=days, sharing_view="refuses")
    assert Alert.objects.filter(person=cast.alice).needing_decision().exists()
    client = as_user(cast.helen)
    client.post(f"/people/{cast.alice.pk}/sharing-decisions/new/")
    draft = Draft.objects.get()
    page = _walk(client, draft.pk, {})
    assert "Recommendation: Do not share" in page
    assert "Needs the safeguarding lead" in page
    review = (timezone.localdate() + timedelta(days=14)).strftime("%d %m %Y").split()
    response = client.post(
        f"/sharing/drafts/{draft.pk}/recommendation/",
        {
            "outcome": "do_not_share",
            "necessity": "Alice has capacity and refuses; only she is at risk for now.",
            "review_date_0": review[0],
            "review_date_1": review[1],
            "review_date_2": review[2],
            "go": "record",
        },
    )
    decision = SharingDecision.objects.get()
    assert response.url == f"/sharing-decisions/{decision.pk}/"
    assert decision.status == "awaiting_countersign" and decision.countersign_needs_lead
    assert "risk is building" in decision.countersign_because.lower()
    # The data protection officer may not countersign this one; the lead is told.
    assert not cast.david.has_perm("sharing.countersign", decision)
    assert Notification.objects.filter(recipient=cast.sarah, link__contains=str(decision.pk))
    as_user(cast.sarah).post(
        f"/sharing-decisions/{decision.pk}/countersign/", {"agree": "yes", "note": ""}
    )
    decision.refresh_from_db()
    assert decision.status == "signed" and decision.countersigned_by == cast.sarah


def test_departing_from_the_recommendation_needs_reasons_and_a_countersignature(cast):
    answers = {**REFUSED, "grounds": ["others_at_risk"]}
    with pytest.raises(ValidationError) as error:
        decisions.record_decision(by(cast.sarah), cast.alice, answers, do_not_share())
    assert "departure_rationale" in error.value.message_dict
    decision = decisions.record_decision(
        by(cast.sarah),
        cast.alice,
        answers,
        do_not_share(
            departure_rationale="The other resident has moved to another home today, so "
            "nobody else is at risk from her son any more."
        ),
    )
    assert decision.departs and decision.status == "awaiting_countersign"
    assert not cast.sarah.has_perm("sharing.countersign", decision)  # not her own
    assert cast.david.has_perm("sharing.countersign", decision)


def test_sharing_without_consent_needs_a_ground_and_a_lawful_basis(cast):
    answers = {**REFUSED, "grounds": ["others_at_risk"]}
    with pytest.raises(ValidationError) as error:
        decisions.record_decision(
            by(cast.sarah),
            cast.alice,
            answers,
            share_without_consent(override_grounds=[], article_9="g", schedule_1=""),
        )
    assert set(error.value.message_dict) >= {"override_grounds", "schedule_1"}
    assert not SharingDecision.objects.exists()


def test_a_decision_from_an_alert_decides_the_alert_and_shows_in_the_chronology(cast, as_user):
    for days in (2, 3, 4):
        record_concern(cast, days_ago=days)
    alert = Alert.objects.get(rule="cumulative", person=cast.alice)
    decision = decisions.record_decision(
        by(cast.sarah),
        cast.alice,
        {**REFUSED, "grounds": ["others_at_risk"]},
        share_without_consent(),
        alert=alert,
    )
    alert.refresh_from_db()
    assert alert.status == "decided"
    made = AlertDecision.objects.get(alert=alert)
    assert made.outcome == "escalate" and f"sharing decision {decision.pk}" in made.rationale
    page = as_user(cast.nia).get(f"/people/{cast.alice.pk}/chronology/").content.decode()
    assert f"Sharing decision {decision.pk}" in page
    assert "Share without consent" in page


def test_signed_decisions_change_only_by_amendment(cast):
    decision = decisions.record_decision(
        by(cast.sarah),
        cast.alice,
        {**REFUSED, "grounds": ["others_at_risk"]},
        share_without_consent(),
    )
    with pytest.raises(ValidationError) as error:
        decisions.amend(by(cast.sarah), decision, {"outcome": "do_not_share"}, "Wrong box")
    assert "outcome" in str(error.value.message_dict["changes"])
    decisions.amend(
        by(cast.sarah),
        decision,
        {"recipient_name": "Jo Bloggs"},
        "Named the duty social worker",
    )
    decision.refresh_from_db()
    assert decision.recipient_name == "Jo Bloggs" and decision.outcome == "share_without_consent"
    change = decision.amendments.get().changes
    assert change == {"recipient_name": {"from": "", "to": "Jo Bloggs"}}


def test_an_amendment_names_what_changed_in_words(cast, as_user):
    decision = decisions.record_decision(
        by(cast.sarah),
        cast.alice,
        {**REFUSED, "grounds": ["others_at_risk"]},
        share_without_consent(),
    )
    decisions.amend(
        by(cast.sarah), decision, {"recipient_name": "Jo Bloggs"}, "Named the duty social worker"
    )
    page = as_user(cast.sarah).get(f"/sharing-decisions/{decision.pk}/").content.decode()
    assert "Recipient name from “” to “Jo Bloggs”" in page
    assert "recipientname" not in page


# Reviews ------------------------------------------------------------------------------


def test_a_new_concern_after_a_refusal_brings_the_decision_back_at_once(cast):
    decision = decisions.record_decision(by(cast.sarah), cast.alice, REFUSED, do_not_share())
    assert not Alert.objects.filter(rule="decision_review").exists()
    concern = record_concern(cast, days_ago=0)
    alert = Alert.objects.get(rule="decision_review", person=cast.alice)
    assert alert.status == "open"
    assert f"Sharing decision {decision.pk}" in alert.explanation
    assert "1 new concern recorded since" in alert.explanation
    assert list(alert.concerns.values_list("pk", flat=True)) == [concern.pk]


def test_sweep_raises_the_review_when_its_date_comes_once(cast):
    decision = decisions.record_decision(by(cast.sarah), cast.alice, REFUSED, do_not_share())
    later = timezone.now() + timedelta(days=15)
    swept = sweep.run(later)
    assert swept.more["sharing decision review(s) due"] == 1
    alert = Alert.objects.get(rule="decision_review", person=cast.alice)
    assert "was due for review" in alert.explanation
    assert sweep.run(later).more["sharing decision review(s) due"] == 0
    decision.refresh_from_db()
    assert decision.review_alerted_at is not None


def test_a_newer_decision_replaces_the_standing_refusal(cast):
    decisions.record_decision(by(cast.sarah), cast.alice, REFUSED, do_not_share())
    decisions.record_decision(
        by(cast.sarah),
        cast.alice,
        {**REFUSED, "grounds": ["others_at_risk"]},
        share_without_consent(contradiction_reason="Her son has moved in; others are at risk."),
    )
    record_concern(cast, days_ago=0)
    assert not Alert.objects.filter(rule="decision_review").exists()


# Advice -------------------------------------------------------------------------------


def test_advice_is_asked_from_a_step_answered_by_the_lead_and_kept_with_the_decision(cast, as_user):
    client = as_user(cast.helen)
    client.post(f"/people/{cast.alice.pk}/sharing-decisions/new/")
    draft = Draft.objects.get()
    response = client.post(
        f"/sharing/drafts/{draft.pk}/consent/", {"consent": "refused", "go": "advice"}
    )
    assert response.url == f"/advice/new/?draft={draft.pk}&step=consent"
    client.post(
        response.url, {"question": "She refuses but seems frightened of her son: what now?"}
    )
    advice = AdviceRequest.objects.get()
    assert advice.person == cast.alice and advice.step == "consent"
    note = Notification.objects.get(recipient=cast.sarah)
    assert note.link == f"/advice/{advice.pk}/"
    as_user(cast.sarah).post(
        f"/advice/{advice.pk}/", {"answer": "Tick coercion: her words show she is afraid."}
    )
    assert Notification.objects.filter(recipient=cast.helen, link=f"/advice/{advice.pk}/")
    page = _walk(client, draft.pk, {"grounds": ["coercion"]})
    assert "Share without consent" in page
    client.post(
        f"/sharing/drafts/{draft.pk}/recommendation/",
        {**share_without_consent(override_grounds=["coercion"]), "go": "record"},
    )
    decision = SharingDecision.objects.get()
    assert decision.advised_by == "Sarah Whitfield"
    assert AdviceRequest.objects.get().decision == decision
    page = as_user(cast.helen).get(f"/sharing-decisions/{decision.pk}/").content.decode()
    assert "Tick coercion" in page


def test_a_care_worker_cannot_read_anothers_question(cast, as_user):
    advice = decisions.ask_advice(
        by(cast.nia), cast.org.pk, "Is a bruise from a fall a safeguarding concern?"
    )
    assert as_user(cast.tom).get(f"/advice/{advice.pk}/").status_code == 404
    assert as_user(cast.nia).get(f"/advice/{advice.pk}/").status_code == 200
    assert as_user(cast.nia).post(f"/advice/{advice.pk}/", {"answer": "x y z w"}).status_code == 403


def test_decisions_name_the_policy_versions_in_force(cast):
    decision = decisions.record_decision(by(cast.sarah), cast.alice, REFUSED, do_not_share())
    assert decision.policy_version.kind == "sharing"
    assert decision.information_policy.kind == "information_sharing"
    assert decision.appropriate_policy.kind == "appropriate_policy"
    assert person_ids_for(cast.alice) == [cast.alice.pk]


def test_nobody_learns_from_the_framework_of_an_allegation_against_them(cast):
    record_concern(cast, days_ago=2, source_kind="staff", source_staff=cast.helen)
    helen_sees, _ = decisions.facts_for(cast.alice, viewer=cast.helen)
    sarah_sees, _ = decisions.facts_for(cast.alice, viewer=cast.sarah)
    assert sarah_sees.staff_implicated
    assert not helen_sees.staff_implicated


def test_a_decision_waiting_for_a_countersignature_does_not_replace_the_standing_one(cast):
    refusal = decisions.record_decision(by(cast.sarah), cast.alice, REFUSED, do_not_share())
    departing = decisions.record_decision(
        by(cast.sarah),
        cast.alice,
        REFUSED,
        share_without_consent(
            departure_rationale="Her neighbour is frightened of the same visitor, so others "
            "are at risk whatever Alice says.",
            contradiction_reason="Her neighbour is frightened of the same visitor.",
        ),
    )
    refusal.refresh_from_db()
    assert refusal.standing and not departing.standing
    decisions.countersign(by(cast.david), departing, False, "No sign of risk to others here")
    refusal.refresh_from_db()
    assert refusal.standing  # still reviewed, on new concerns and on its date
    record_concern(cast, days_ago=0)
    assert Alert.objects.filter(rule="decision_review", person=cast.alice).exists()


def test_an_assessed_lack_of_capacity_makes_agreement_no_consent(cast):
    decisions.record_capacity(
        by(cast.helen),
        cast.alice,
        {
            "decision": "Whether to agree to the council being told",
            "help_given": "Explained with pictures and her daughter present.",
            "can_understand": False,
            "can_retain": False,
            "can_use_or_weigh": False,
            "can_communicate": True,
            "impairment": True,
            "impairment_detail": "Advanced dementia",
            "evidence": "Could not say who the council are after three explanations.",
            "best_interests": "share",
            "best_interests_reasons": "Her daughter agrees the council should know; it protects her.",
        },
    )
    with pytest.raises(ValidationError) as error:
        decisions.record_decision(
            by(cast.sarah),
            cast.alice,
            {**REFUSED, "consent": "given"},
            share_without_consent(outcome="share_with_consent", override_grounds=[]),
        )
    assert "not given by someone with capacity" in str(error.value.message_dict["outcome"])


def test_the_chronology_api_lists_decisions_and_consent_beside_concerns(cast, api):
    record_concern(cast, days_ago=3)
    decision = decisions.record_decision(by(cast.sarah), cast.alice, REFUSED, do_not_share())
    entries = api(cast.helen).get(f"/api/v1/people/{cast.alice.pk}/chronology").json()["entries"]
    kinds = [e["kind"] for e in entries]
    assert kinds[0] == "decision" and "concern" in kinds
    assert entries[0]["title"] == f"Sharing decision {decision.pk}"
    assert entries[0]["url"] == f"/sharing-decisions/{decision.pk}/"
    filtered = (
        api(cast.helen)
        .get(f"/api/v1/people/{cast.alice.pk}/chronology?category=neglect")
        .json()["entries"]
    )
    assert {e["kind"] for e in filtered} == {"concern"}


def test_answers_missing_from_earlier_steps_are_named_and_the_decision_is_kept(cast, as_user):
    client = as_user(cast.sarah)
    client.post(f"/people/{cast.alice.pk}/sharing-decisions/new/")
    draft = Draft.objects.get()
    _walk(client, draft.pk, {"grounds": ["others_at_risk"]})
    step = client.post(f"/sharing/drafts/{draft.pk}/recipient/", {"recipient": "", "go": "next"})
    # The recipient step names its own blanks...
    assert "Say which organisation receives the information" in step.content.decode()
    assert step.status_code == 200
    # ...unless the decision is expected not to share; then the end asks again.
    client.post(
        f"/sharing/drafts/{draft.pk}/recipient/",
        {"recipient": "", "not_sharing": "on", "go": "next"},
    )  # clears what the recipient step held
    page = client.post(
        f"/sharing/drafts/{draft.pk}/recommendation/",
        {**share_without_consent(), "go": "record"},
    ).content.decode()
    assert "Say which organisation receives the information (under &#x27;Recipient&#x27;)" in page
    assert f'href="/sharing/drafts/{draft.pk}/recipient/"' in page
    assert not SharingDecision.objects.exists()
    again = client.get(f"/sharing/drafts/{draft.pk}/recommendation/").content.decode()
    assert 'value="share_without_consent" checked' in again
    assert "only the local authority can enquire" in again


def test_a_role_without_the_framework_is_told_plainly(cast, as_user):
    response = as_user(cast.david).post(f"/people/{cast.alice.pk}/sharing-decisions/new/")
    assert response.status_code == 403
    assert "This is not open to your role" in response.content.decode()
    assert not Draft.objects.exists()


def test_a_recorded_decision_cannot_be_edited_or_deleted_behind_the_record(cast):
    decision = decisions.record_decision(by(cast.sarah), cast.alice, REFUSED, do_not_share())
    decision.outcome = "share_without_consent"
    with pytest.raises(ValueError, match="never edited"):
        decision.save()
    with pytest.raises(ValueError, match="never edited"):
        decision.save(update_fields=["outcome"])
    with pytest.raises(ValueError, match="never deleted"):
        decision.delete()
    assert SharingDecision.objects.get().outcome == "do_not_share"


def test_the_lead_changes_the_framework_and_decisions_keep_the_version_they_were_made_under(
    cast, as_user
):
    import yaml
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sharewise.policy import store
    from sharewise.policy.tests.test_policy_forms import change

    first = decisions.record_decision(by(cast.sarah), cast.alice, REFUSED, do_not_share())
    version, policy = store.in_force(cast.org.pk, "sharing")
    document = policy.model_dump(mode="json")
    client = as_user(cast.sarah)
    client.cast = cast
    broken = {**document, "override_grounds": document["override_grounds"][1:]}
    page = client.post(
        "/policy/sharing/import/",
        {"file": SimpleUploadedFile("sharing.yaml", yaml.safe_dump(broken).encode())},
    ).content.decode()
    assert "put them back: The person lacks capacity for this decision" in page
    change(client, "sharing", {"review_days": "14"}, note="Sooner reviews")
    second = decisions.record_decision(
        by(cast.sarah), cast.bob, REFUSED, {**do_not_share(), "question": "Bob?"}
    )
    assert (first.policy_version.version, second.policy_version.version) == (1, 2)
    recommendation, _, _ = decisions.assess(cast.bob, REFUSED)
    assert recommendation.review_days == 14


def test_answers_that_contradict_the_record_are_refused_not_dropped(cast, api):
    consent = {
        "person_id": cast.alice.pk,
        "purpose": "Telling the council",
        "outcome": "refused",
        "not_sought_reason": "unsafe",
        "explained_how": "Explained who would be told",
        "capacity": "presumed",
    }
    response = api(cast.helen).post("/api/v1/consents", consent)
    assert response.status_code == 422
    assert "not_sought_reason" in {e["field"] for e in response.json()["errors"]}
    assert not ConsentRecord.objects.exists()
    with pytest.raises(ValidationError) as error:
        decisions.record_capacity(
            by(cast.helen),
            cast.alice,
            {
                "decision": "Whether to agree to the council being told",
                "help_given": "Explained slowly",
                "can_understand": True,
                "can_retain": True,
                "can_use_or_weigh": True,
                "can_communicate": True,
                "evidence": "Repeated back who would be told and why.",
                "best_interests": "share",
            },
        )
    assert "has capacity" in error.value.message_dict["best_interests"][0]
    assert not CapacityAssessment.objects.exists()
