"""The sharing API: consent, capacity, the framework's recommendation, recording and
countersigning sharing decisions, and asking for advice, with the same need-to-know
rules and audit trail as the pages."""

from datetime import timedelta

import pytest

from conftest import record_concern
from sharewise.audittrail.models import Entry
from sharewise.patterns.models import Alert, Notification
from sharewise.sharing.models import (
    AdviceRequest,
    CapacityAssessment,
    ConsentRecord,
    Draft,
    SharingDecision,
)

RATIONALE = (
    "Alice has capacity and has told us clearly twice that she does not want this "
    "shared; the other resident has moved out so nobody else is now at risk."
)


def fields(response):
    return {e["field"] for e in response.json()["errors"]}


def refusal(cast, **extra):
    return {
        "person_id": cast.alice.pk,
        "purpose": "Tell the local authority about the missed call bell",
        "outcome": "refused",
        "explained_how": "Talked it through at tea, in plain words, with her daughter there",
        "persons_words": "I don't want any fuss.",
        "capacity": "presumed",
        **extra,
    }


def refused_answers(**extra):
    return {
        "purpose": "yes",
        "consent": "refused",
        "capacity": "presumed",
        "necessary": "yes",
        **extra,
    }


SHARE_ANSWERS = refused_answers(
    grounds=["others_at_risk"],
    at_risk="yes",
    recipient="Local authority adult safeguarding team",
    content="The concerns about the call bell",
    channel="secure_email",
    proportionality="Only the facts of the concerns are needed",
    tell_person="yes",
)


def share_decision(cast, **extra):
    return {
        "person_id": cast.alice.pk,
        "answers": SHARE_ANSWERS,
        "question": "Should we tell the local authority about the call bell concerns?",
        "purpose": "To protect the other residents on the Night team corridor",
        "outcome": "share_without_consent",
        "override_grounds": ["others_at_risk"],
        "article_6": "f",
        "article_9": "g",
        "schedule_1": "para_18",
        "necessity": "Other residents face the same risk and only the local authority can act",
        "recipient_organisation": "Northshire County Council",
        "recipient_role": "Adult safeguarding duty worker",
        "recipient_name": "",
        "what_shared": "The three concerns about the call bell, with dates",
        "channel": "secure_email",
        "person_told": "yes",
        **extra,
    }


def not_sharing(cast, **extra):
    return share_decision(
        cast,
        outcome="do_not_share",
        override_grounds=[],
        article_6="",
        article_9="",
        schedule_1="",
        review_date=str(cast.today + timedelta(days=28)),
        departure_rationale=RATIONALE,
        **extra,
    )


@pytest.fixture
def departing(cast, api):
    """Helen decides not to share when the framework recommends sharing."""
    response = api(cast.helen).post("/api/v1/sharing-decisions", not_sharing(cast))
    assert response.status_code == 201, response.json()
    return response.json()


# Consent ----------------------------------------------------------------------------


def test_a_care_worker_records_a_refusal_and_it_goes_to_the_trail(cast, api):
    concern = record_concern(cast)
    response = api(cast.nia).post("/api/v1/consents", refusal(cast, concern_ids=[concern.pk]))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["outcome"] == "refused" and body["capacity"] == "presumed"
    assert body["person_id"] == cast.alice.pk
    assert body["asked_by"] == "Nia Okafor"
    assert body["concern_ids"] == [concern.pk]
    assert body["persons_words"] == "I don't want any fuss."
    stored = ConsentRecord.objects.get(pk=body["id"])
    assert stored.person == cast.alice and stored.recorded_by == cast.nia
    entry = Entry.objects.get(action="recorded consent")
    assert entry.person_id == cast.alice.pk and entry.actor_id == cast.nia.pk
    assert entry.detail["via"] == "api"


def test_consent_without_a_purpose_is_refused_naming_it(cast, api):
    response = api(cast.nia).post("/api/v1/consents", refusal(cast, purpose="  "))
    assert response.status_code == 422
    assert "purpose" in fields(response)
    assert not ConsentRecord.objects.exists()


def test_consent_naming_a_concern_about_someone_else_is_refused(cast, api):
    bobs = record_concern(cast, person=cast.bob, team=cast.day, by=cast.tom)
    response = api(cast.nia).post("/api/v1/consents", refusal(cast, concern_ids=[bobs.pk]))
    assert response.status_code == 422
    assert fields(response) == {"concern_ids"}


def test_consent_for_someone_outside_the_team_is_not_found(cast, api):
    response = api(cast.nia).post("/api/v1/consents", refusal(cast, person_id=cast.carol.pk))
    assert response.status_code == 404
    assert response.json() == {"message": "Not found, or not yours to see."}
    assert not ConsentRecord.objects.exists()


def test_an_administrator_cannot_record_consent(cast, api):
    response = api(cast.owen).post("/api/v1/consents", refusal(cast))
    assert response.status_code == 403
    assert not Entry.objects.filter(action="recorded consent").exists()


# Capacity ---------------------------------------------------------------------------


def capacity(cast, **extra):
    return {
        "person_id": cast.alice.pk,
        "decision": "Whether to share the call bell concerns with the local authority",
        "help_given": "Quiet room, large print, her daughter present, two visits",
        "can_understand": False,
        "can_retain": False,
        "can_use_or_weigh": False,
        "can_communicate": True,
        "impairment": True,
        "impairment_detail": "Advanced dementia, diagnosed 2023",
        "evidence": "Could not say back what would be shared after several tries",
        **extra,
    }


def test_lacking_capacity_needs_the_best_interests_decision(cast, api):
    response = api(cast.nia).post("/api/v1/capacity-assessments", capacity(cast))
    assert response.status_code == 422
    assert "best_interests" in fields(response)
    assert not CapacityAssessment.objects.exists()


def test_a_full_assessment_is_recorded_lacking_capacity(cast, api):
    response = api(cast.nia).post(
        "/api/v1/capacity-assessments",
        capacity(
            cast,
            best_interests="share",
            best_interests_reasons="Her daughter and GP agree she would want to be kept safe",
            persons_wishes="Has always wanted her family involved",
            consulted="Her daughter; her GP",
        ),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["conclusion"] == "lacks_capacity" and body["lacks_capacity"] is True
    assert body["best_interests"] == "share"
    assert body["assessor"] == "Nia Okafor"
    assert CapacityAssessment.objects.get(pk=body["id"]).person == cast.alice
    assert Entry.objects.filter(action="recorded capacity assessment").exists()


# The framework ----------------------------------------------------------------------


def test_a_capable_refusal_with_nobody_else_at_risk_is_respected(cast, api):
    response = api(cast.nia).post(
        "/api/v1/sharing-decisions/assess",
        {"person_id": cast.alice.pk, "answers": refused_answers()},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["outcome"] == "do_not_share"
    assert "refusal.respect" in [r["rule"] for r in body["reasons"]]
    assert body["review_days"] == 28 and body["policy_version"] == 1
    assert body["facts"]["is_child"] is False and body["facts"]["open_alerts"] == 0
    assert not SharingDecision.objects.exists() and not Draft.objects.exists()
    # The read of Alice's record is still in the trail.
    assert Entry.objects.filter(
        action="assessed sharing decision", person_id=cast.alice.pk
    ).exists()


def test_others_at_risk_overrides_the_refusal_with_a_lawful_basis(cast, api):
    response = api(cast.nia).post(
        "/api/v1/sharing-decisions/assess",
        {"person_id": cast.alice.pk, "answers": SHARE_ANSWERS},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["outcome"] == "share_without_consent"
    assert body["label"] == "Share without consent"
    assert body["grounds"] == ["others_at_risk"]
    [basis] = body["bases"]
    assert basis["ground"] == "others_at_risk"
    assert basis["article_9"] == ["g"] and basis["schedule_1"] == ["para_18"]
    assert "Article 9(2)(g)" in basis["words"] and "paragraph 18" in basis["words"]
    assert not SharingDecision.objects.exists() and not Draft.objects.exists()


def test_answers_outside_the_allowed_values_are_named_under_answers(cast, api):
    response = api(cast.nia).post(
        "/api/v1/sharing-decisions/assess",
        {"person_id": cast.alice.pk, "answers": refused_answers(consent="maybe")},
    )
    assert response.status_code == 422
    assert fields(response) == {"answers.consent"}


def test_the_framework_for_someone_outside_the_team_is_not_found(cast, api):
    response = api(cast.nia).post(
        "/api/v1/sharing-decisions/assess",
        {"person_id": cast.carol.pk, "answers": refused_answers()},
    )
    assert response.status_code == 404


def test_an_auditor_cannot_use_the_framework(cast, api):
    response = api(cast.grace).post(
        "/api/v1/sharing-decisions/assess",
        {"person_id": cast.alice.pk, "answers": refused_answers()},
    )
    assert response.status_code == 403


# Recording decisions ----------------------------------------------------------------


def test_the_lead_records_a_decision_that_follows_the_recommendation(cast, api):
    response = api(cast.sarah).post("/api/v1/sharing-decisions", share_decision(cast))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "signed" and body["departs"] is False
    assert body["outcome"] == body["recommendation"] == "share_without_consent"
    assert body["policy_version"] == 1
    assert body["decided_by"] == "Sarah Whitfield"
    assert body["consent_outcome"] == "refused"
    assert body["override_grounds"] == ["others_at_risk"]
    decision = SharingDecision.objects.get(pk=body["id"])
    assert decision.person == cast.alice and decision.decided_by == cast.sarah
    assert Entry.objects.filter(
        action="recorded sharing decision", object_id=str(decision.pk)
    ).exists()


def test_a_manager_departing_from_the_recommendation_waits_for_countersignature(
    cast, api, departing
):
    assert departing["status"] == "awaiting_countersign"
    assert departing["departs"] is True
    assert departing["recommendation"] == "share_without_consent"
    assert departing["outcome"] == "do_not_share"
    assert departing["departure_rationale"] == RATIONALE
    assert "departs from the recommendation" in departing["countersign_because"]
    # Sarah and David are told it waits for them; Helen is not.
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {cast.sarah.pk, cast.david.pk}


def test_departing_without_reasons_is_refused(cast, api):
    response = api(cast.helen).post(
        "/api/v1/sharing-decisions", not_sharing(cast) | {"departure_rationale": ""}
    )
    assert response.status_code == 422
    assert "departure_rationale" in fields(response)
    assert not SharingDecision.objects.exists()


def test_not_sharing_needs_a_review_date(cast, api):
    response = api(cast.helen).post(
        "/api/v1/sharing-decisions", not_sharing(cast) | {"review_date": None}
    )
    assert response.status_code == 422
    assert "review_date" in fields(response)


def test_a_care_worker_cannot_record_a_decision(cast, api):
    response = api(cast.nia).post("/api/v1/sharing-decisions", share_decision(cast))
    assert response.status_code == 403
    assert not SharingDecision.objects.exists()


def test_a_decision_from_an_alert_decides_the_alert(cast, api):
    for days in (40, 20, 2):
        record_concern(cast, days_ago=days)
    alert = Alert.objects.get(rule="cumulative", subject=f"person:{cast.alice.pk}")
    response = api(cast.sarah).post(
        "/api/v1/sharing-decisions", share_decision(cast, alert_id=alert.pk)
    )
    assert response.status_code == 201, response.json()
    assert response.json()["alert_id"] == alert.pk
    alert.refresh_from_db()
    assert alert.status == "decided"


def test_an_alert_the_caller_cannot_see_is_not_found(cast, api):
    for days in (40, 20, 2):
        record_concern(cast, person=cast.carol, team=cast.community, by=cast.priya, days_ago=days)
    carols = Alert.objects.get(rule="cumulative", subject=f"person:{cast.carol.pk}")
    response = api(cast.helen).post(
        "/api/v1/sharing-decisions", share_decision(cast, alert_id=carols.pk)
    )
    assert response.status_code == 404
    assert not SharingDecision.objects.exists()


# Reading a decision ----------------------------------------------------------------


def test_the_lead_reads_the_whole_record(cast, api, departing):
    before = Entry.objects.filter(action="viewed sharing decision").count()
    response = api(cast.sarah).get(f"/api/v1/sharing-decisions/{departing['id']}")
    assert response.status_code == 200, response.json()
    body = response.json()
    expected = {
        "id", "person_id", "alert_id", "concern_ids", "question", "purpose",
        "consent_outcome", "not_sought_reason", "capacity", "capacity_assessment_id",
        "answers", "recommendation", "recommendation_reasons", "recommended_bases",
        "lead_review_reason", "outcome", "override_grounds", "article_6", "article_9",
        "schedule_1", "necessity", "recipient_organisation", "recipient_role",
        "recipient_name", "what_shared", "channel", "person_told", "not_told_reason",
        "departs", "departure_rationale", "review_date", "decided_by", "decided_at",
        "advised_by", "policy_version", "information_policy_version",
        "appropriate_policy_version", "status", "countersign_because", "countersigned_by",
        "countersigned_at", "countersign_note", "amendments", "advice",
    }  # fmt: skip
    assert expected <= set(body)
    assert body["decided_by"] == "Helen Marsh"
    assert body["review_date"] == str(cast.today + timedelta(days=28))
    assert body["answers"]["grounds"] == ["others_at_risk"]
    assert body["recommended_bases"][0]["ground"] == "others_at_risk"
    assert body["information_policy_version"] == 1
    assert body["countersigned_by"] is None and body["amendments"] == []
    after = Entry.objects.filter(action="viewed sharing decision", person_id=cast.alice.pk)
    assert after.count() == before + 1


def test_a_care_worker_cannot_read_decisions(cast, api, departing):
    response = api(cast.nia).get(f"/api/v1/sharing-decisions/{departing['id']}")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found, or not yours to see."}


# Countersigning ---------------------------------------------------------------------


def test_the_data_protection_officer_countersigns(cast, api, departing):
    response = api(cast.david).post(
        f"/api/v1/sharing-decisions/{departing['id']}/countersign",
        {"agree": True, "note": "Agreed: nobody else is at risk now"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "signed"
    assert body["countersigned_by"] == "David Lin"
    assert body["countersign_note"] == "Agreed: nobody else is at risk now"
    assert Notification.objects.filter(recipient=cast.helen).exists()


def test_nobody_countersigns_their_own_decision(cast, api, departing):
    response = api(cast.helen).post(
        f"/api/v1/sharing-decisions/{departing['id']}/countersign", {"agree": True}
    )
    assert response.status_code == 403
    sarahs = api(cast.sarah).post("/api/v1/sharing-decisions", not_sharing(cast)).json()
    assert sarahs["status"] == "awaiting_countersign"
    response = api(cast.sarah).post(
        f"/api/v1/sharing-decisions/{sarahs['id']}/countersign", {"agree": True}
    )
    assert response.status_code == 403


def test_a_signed_decision_cannot_be_countersigned(cast, api):
    signed = api(cast.sarah).post("/api/v1/sharing-decisions", share_decision(cast)).json()
    assert signed["status"] == "signed"
    response = api(cast.david).post(
        f"/api/v1/sharing-decisions/{signed['id']}/countersign", {"agree": True}
    )
    assert response.status_code == 422
    assert fields(response) == {"status"}


def test_declining_needs_reasons(cast, api, departing):
    response = api(cast.david).post(
        f"/api/v1/sharing-decisions/{departing['id']}/countersign",
        {"agree": False, "note": "No."},
    )
    assert response.status_code == 422
    assert fields(response) == {"note"}
    assert SharingDecision.objects.get(pk=departing["id"]).status == "awaiting_countersign"


# Advice -----------------------------------------------------------------------------


def test_a_care_worker_asks_without_naming_anyone_and_the_lead_is_told(cast, api):
    response = api(cast.nia).post(
        "/api/v1/advice-requests",
        {"question": "A resident refuses but I think her neighbour is at risk: what now?"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["person_id"] is None and body["answered"] is False
    assert body["asked_by"] == "Nia Okafor"
    advice = AdviceRequest.objects.get(pk=body["id"])
    assert advice.name_withheld and advice.organisation_id == cast.org.pk
    note = Notification.objects.get(recipient=cast.sarah)
    assert note.link and str(advice.pk) in note.link


def test_asking_about_a_person_links_them(cast, api):
    response = api(cast.nia).post(
        "/api/v1/advice-requests",
        {"question": "Should Alice's refusal stand given the bell?", "person_id": cast.alice.pk},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["person_id"] == cast.alice.pk
    outside = api(cast.nia).post(
        "/api/v1/advice-requests",
        {"question": "Should Carol's refusal stand here?", "person_id": cast.carol.pk},
    )
    assert outside.status_code == 404


def test_a_two_word_question_is_refused(cast, api):
    response = api(cast.nia).post("/api/v1/advice-requests", {"question": "Help please"})
    assert response.status_code == 422
    assert fields(response) == {"question"}
    assert not AdviceRequest.objects.exists()
