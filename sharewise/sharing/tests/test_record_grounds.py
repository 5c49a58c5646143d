"""Grounds proposed from the record: with consent refused by someone with capacity and
no ground ticked, what the concerns and alerts already say keeps the framework from a
plain "do not share", and the decider must accept or set aside each with a reason."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import record_concern
from sharewise.governance import criteria
from sharewise.policy import store
from sharewise.sharing import decisions, framework
from sharewise.sharing.models import Draft, SharingDecision
from sharewise.sharing.tests.stories import (
    GROUNDS,
    REFUSED,
    by,
    do_not_share,
    share_without_consent,
)

NOT_SHARING = (framework.DO_NOT_SHARE,)


def _recommend(cast, person=None, answers=REFUSED, viewer=None):
    person = person or cast.alice
    _, policy = store.in_force(cast.org.pk, "sharing")
    facts, _ = decisions.facts_for(person, viewer=viewer or cast.sarah)
    return framework.recommend(decisions.answers_from(answers), facts, policy), facts


def _refusal(**more):
    return do_not_share(question="Should we tell the local authority?", **more)


def test_with_nothing_in_the_record_a_capable_refusal_is_respected(cast):
    record_concern(cast, days_ago=3)
    rec, facts = _recommend(cast)
    assert rec.outcome == framework.DO_NOT_SHARE
    assert facts.proposals == () and facts.cues == ()


def test_a_child_in_the_household_ticked_on_the_concern_proposes_child_at_risk(cast):
    concern = record_concern(cast, days_ago=3, risk_indicators=["children"])
    rec, facts = _recommend(cast)
    assert rec.outcome == framework.SHARE_WITHOUT_CONSENT
    assert "child_at_risk" in rec.grounds
    (proposal,) = facts.proposals
    assert proposal.ground == "child_at_risk"
    assert f"concern {concern.pk}" in proposal.evidence[0]
    assert "Ticked 'children live in the home" in proposal.evidence[0]


def test_a_nine_year_old_in_the_words_of_the_record_stops_a_plain_do_not_share(cast):
    record_concern(
        cast,
        days_ago=3,
        facts="Her 9-year-old grandson lives with her and saw her son push her.",
    )
    rec, facts = _recommend(cast)
    assert rec.outcome == framework.SEEK_ADVICE
    (cue,) = [c for c in facts.cues if c.code == "child"]
    assert "9-year-old" in cue.words
    assert "cues.unanswered" in rec.rules()
    assert any("“9-year-old”" in text for text in rec.still_to_record)
    # Saying why it does not apply lets the refusal be respected; saying yes shares.
    no = {**REFUSED, "rebuttals": {"cue:child": "He moved to his father's last month."}}
    assert _recommend(cast, answers=no)[0].outcome == framework.DO_NOT_SHARE
    yes = {**REFUSED, "accepted": ["cue:child"]}
    assert _recommend(cast, answers=yes)[0].outcome == framework.SHARE_WITHOUT_CONSENT


def test_a_sexual_assault_proposes_the_crime_ground(cast):
    record_concern(cast, days_ago=2, categories=["sexual"], severity="high")
    rec, facts = _recommend(cast)
    assert rec.outcome == framework.SHARE_WITHOUT_CONSENT
    assert rec.grounds == ("crime",)
    assert "Recorded as sexual abuse" in facts.proposals[0].evidence[0]
    # Every lawful basis it offers fits sharing without consent after a refusal.
    assert rec.bases and all("a" not in b.article_9 for b in rec.bases)


def test_a_son_controlling_money_with_fear_of_losing_contact(cast):
    record_concern(
        cast,
        days_ago=4,
        categories=["financial"],
        facts="Her son keeps her bank card and takes her pension each week.",
        persons_words="If I say anything he won't let me see the grandchildren.",
    )
    rec, facts = _recommend(cast)
    assert rec.outcome != framework.DO_NOT_SHARE
    assert rec.outcome == framework.SHARE_WITHOUT_CONSENT and "crime" in rec.grounds
    # The fear of losing contact is a question; the money taken is more evidence of the
    # crime its category already proposes.
    assert "fear_of_losing_contact" in {c.code for c in facts.cues}
    crime = next(p for p in facts.proposals if p.ground == "crime")
    assert any("“keeps her bank card”" in e for e in crime.evidence)


def test_an_open_common_source_alert_proposes_others_at_risk(cast):
    for person, team in ((cast.alice, cast.night), (cast.bob, cast.day)):
        record_concern(
            cast,
            person=person,
            team=team,
            days_ago=5,
            source_kind="person_supported",
            source_person=cast.dennis,
        )
    rec, facts = _recommend(cast)
    assert rec.outcome == framework.SHARE_WITHOUT_CONSENT
    others = next(p for p in facts.proposals if p.ground == "others_at_risk")
    assert "same alleged source" in others.evidence[0]


def test_words_about_a_ground_the_record_proposes_are_evidence_not_a_second_question(cast):
    concern = record_concern(
        cast,
        days_ago=2,
        risk_indicators=["coercion"],
        persons_words="If I tell anyone he won't let me see the grandchildren.",
    )
    _, facts = _recommend(cast)
    assert "fear_of_losing_contact" not in {c.code for c in facts.cues}
    coercion = next(p for p in facts.proposals if p.ground == "coercion")
    assert any(
        "“won't let me see”" in e and f"concern {concern.pk}" in e for e in coercion.evidence
    )
    assert "child" in {c.code for c in facts.cues}  # "grandchildren": no ground proposed yet


def test_a_member_of_staff_implicated_proposes_the_staff_ground(cast):
    record_concern(cast, days_ago=2, source_kind="staff", source_staff=cast.tom)
    rec, _ = _recommend(cast)
    assert rec.outcome == framework.SHARE_WITHOUT_CONSENT
    assert "staff_implicated" in rec.grounds


def _lacks_capacity(cast, best_interests):
    decisions.record_capacity(
        by(cast.helen),
        cast.alice,
        {
            "decision": "Whether to agree to the council being told",
            "help_given": "Explained slowly with pictures, in the morning.",
            "can_understand": False,
            "can_retain": False,
            "can_use_or_weigh": False,
            "can_communicate": True,
            "impairment": True,
            "impairment_detail": "Advanced dementia",
            "evidence": "Could not say who the council are after three explanations.",
            "best_interests": best_interests,
            "best_interests_reasons": "Her daughter and GP agree this protects her best.",
        },
    )


def test_a_recorded_best_interests_decision_is_used_not_retyped(cast):
    _lacks_capacity(cast, "share")
    rec, facts = _recommend(cast, answers={**REFUSED, "capacity": "presumed"})
    assert facts.best_interests == "share"
    assert rec.outcome == framework.SHARE_WITHOUT_CONSENT
    assert "lacks_capacity" in rec.grounds
    assert not any("best-interests decision" in t for t in rec.still_to_record)


def test_a_recorded_best_interests_decision_not_to_share_wins_over_a_typed_one(cast):
    _lacks_capacity(cast, "do_not_share")
    answers = {**REFUSED, "capacity": "lacks_capacity", "best_interests": "share"}
    rec, _ = _recommend(cast, answers=answers)
    assert "capacity.best_interests_recorded" in rec.rules()
    assert rec.outcome == framework.DO_NOT_SHARE


def test_deciding_not_to_share_needs_every_proposal_answered_and_keeps_the_reasons(cast, as_user):
    record_concern(cast, days_ago=2, categories=["physical"])
    with pytest.raises(ValidationError) as error:
        decisions.record_decision(
            by(cast.sarah), cast.alice, REFUSED, _refusal(departure_rationale="x " * 12)
        )
    assert "To prevent or detect a crime" in str(error.value.message_dict["answers.accepted"])
    assert not SharingDecision.objects.exists()

    why = "The bruise was from a fall the nurse saw; no crime."
    decision = decisions.record_decision(
        by(cast.sarah), cast.alice, {**REFUSED, "rebuttals": {"crime": why}}, _refusal()
    )
    assert decision.answers["rebuttals"] == {"crime": why}
    page = as_user(cast.sarah).get(f"/sharing-decisions/{decision.pk}/").content.decode()
    assert "What the record proposed" in page and f"set aside: {why}" in page


def test_setting_a_ground_aside_while_risk_is_building_needs_the_lead(cast):
    for days in (1, 2, 3):  # three concerns in days: an alert waits, risk is building
        record_concern(cast, days_ago=days, categories=["physical"])
    why = "Each bruise was seen to come from a fall by two staff."
    decision = decisions.record_decision(
        by(cast.helen), cast.alice, {**REFUSED, "rebuttals": {"crime": why}}, _refusal()
    )
    assert decision.status == "awaiting_countersign"
    assert decision.countersign_needs_lead
    assert "set aside while risk is building" in decision.countersign_because


# Lawful bases that fit ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("article_9", "a", "Explicit consent is a condition only"),
        ("article_6", "a", "Consent is a lawful basis only"),
        ("schedule_1", "para_6", "only when a legal duty requires"),
        ("article_6", "c", "only when a court order or other legal duty"),
    ],
)
def test_a_basis_that_contradicts_sharing_without_consent_is_refused(cast, field, value, words):
    with pytest.raises(ValidationError) as error:
        decisions.record_decision(
            by(cast.sarah), cast.alice, GROUNDS, share_without_consent(**{field: value})
        )
    assert words in error.value.message_dict[field][0]
    assert not SharingDecision.objects.exists()


def test_the_page_and_the_api_name_the_basis_that_does_not_fit(cast, as_user, api):
    response = api(cast.sarah).post(
        "/api/v1/sharing-decisions",
        {"person_id": cast.alice.pk, "answers": GROUNDS, **share_without_consent(article_9="a")},
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "Explicit consent" in errors["article_9"]
    client = as_user(cast.sarah)
    client.post(f"/people/{cast.alice.pk}/sharing-decisions/new/")
    draft = Draft.objects.get()
    draft.answers = {**draft.answers, **GROUNDS}
    draft.save()
    page = client.post(
        f"/sharing/drafts/{draft.pk}/recommendation/",
        {**share_without_consent(article_9="a"), "go": "record"},
    ).content.decode()
    assert "There is a problem" in page and "Explicit consent is a condition only" in page
    assert not SharingDecision.objects.exists()


def test_the_audit_finds_a_contradictory_decision_recorded_the_old_way(cast):
    version, _ = store.in_force(cast.org.pk, "sharing")
    old = SharingDecision.objects.create(
        organisation=cast.org,
        person=cast.alice,
        question="Share?",
        purpose="Protection",
        consent_outcome="refused",
        capacity="presumed",
        answers={"at_risk": "yes"},
        facts={},
        recommendation="share_without_consent",
        recommendation_reasons=[],
        outcome="share_without_consent",
        override_grounds=["others_at_risk"],
        article_6="e",
        article_9="a",
        necessity="Others at risk",
        recipient_organisation="Council",
        recipient_role="Team",
        what_shared="Dates",
        channel="phone",
        person_told="yes",
        decided_by=cast.sarah,
        policy_version=version,
        decided_at=timezone.now() - timedelta(days=3),
    )
    _, governance = store.in_force(cast.org.pk, "governance")
    criterion = governance.criterion("decision_incomplete")
    found = criteria.decision_incomplete(
        cast.org.pk,
        timezone.now() - timedelta(days=30),
        timezone.now(),
        criterion,
        timezone.now(),
    )
    (failure,) = [f for f in found if f.record_id == old.pk]
    assert "Article 9(2)(a): explicit consent, which does not fit it" in failure.summary


def test_the_framework_shows_a_named_manager_the_score_without_the_concern_naming_them(cast):
    record_concern(cast, days_ago=4, severity="high")
    record_concern(cast, days_ago=2, severity="high", source_kind="staff", source_staff=cast.helen)
    helen_sees, _ = decisions.facts_for(cast.alice, viewer=cast.helen)
    sarah_sees, _ = decisions.facts_for(cast.alice, viewer=cast.sarah)
    alone, _ = decisions.facts_for(cast.bob, viewer=cast.sarah)
    assert helen_sees.risk_score < sarah_sees.risk_score
    assert not any(p.ground == "staff_implicated" for p in helen_sees.proposals)
    assert alone.risk_score == 0.0
