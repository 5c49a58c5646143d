"""Marking practice attempts: the framework's recommendation and why, the decision
against the right one, grounds and lawful bases, and for referrals the fields and the
names. Pure: no database."""

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharewise.policy import documents
from sharewise.training import casebook, scoring

SHARING = documents.default("sharing")
REFERRALS = documents.default("referrals")
RECORDING = documents.default("recording")
CASES = casebook.read()


def mark(case, chosen):
    return scoring.mark(case, chosen, SHARING, REFERRALS, RECORDING)


def right(case):
    return scoring.right_answers(case, SHARING, REFERRALS, RECORDING)


def point(marked, name):
    return next(p for p in marked.points if p.point == name)


def wrong_decision(case):
    """The right answers with the opposite decision."""
    chosen = copy.deepcopy(right(case))
    sharing = case.key.decision.outcome in ("share_with_consent", "share_without_consent")
    chosen["decision"] = (
        {"outcome": "do_not_share", "grounds": []}
        if sharing
        else {"outcome": "share_without_consent", "grounds": ["public_interest"]}
    )
    return chosen


@pytest.mark.parametrize("code", list(CASES))
def test_every_case_scores_100_with_its_right_answers_and_less_with_a_wrong_one(code):
    case = CASES[code]
    assert not scoring.problems(case, right(case), SHARING, REFERRALS)
    marked = mark(case, right(case))
    assert marked.score == 100, [p for p in marked.points if p.right is False]
    wrong = mark(case, wrong_decision(case))
    assert wrong.score < 100
    assert point(wrong, "Your decision").right is False


def test_sending_the_whole_care_record_scores_low_and_names_the_fields_beyond():
    case = CASES["financial_referral_minimum"]
    chosen = right(case)
    chosen["fields"] = [code for code, _ in scoring.offered_fields(case, REFERRALS)]
    chosen["removed"] = []
    marked = mark(case, chosen)
    assert marked.score <= 40
    beyond = point(marked, "Fields sent beyond the minimum")
    assert beyond.right is False
    for label in ("Care notes", "Medication", "Diagnoses", "NHS number"):
        assert label in beyond.why
    assert "A whole record is never part of a referral" in beyond.why
    assert "Not needed for a referral about financial or material abuse" in beyond.why
    names = point(marked, "Other people's names")
    assert "Joan Ellery (another resident)" in names.why
    assert "Amira Shah (a care worker)" in names.why
    assert point(marked, "Whole records").right is False
    # what the recipient would have read still names the other resident
    assert "Joan Ellery" in marked.sent["What happened"]


def test_following_the_minimum_and_removing_names_scores_100_and_the_names_are_gone():
    case = CASES["financial_referral_minimum"]
    marked = mark(case, right(case))
    assert marked.score == 100
    sent = marked.sent["What happened"]
    assert "Joan Ellery" not in sent and "[another resident]" in sent
    assert "Amira Shah" not in sent and "[a care worker]" in sent
    assert "Kevin Price" in sent  # the alleged source stays: the enquiry needs him
    assert "Care notes" not in marked.sent


def test_leaving_out_a_needed_field_is_named():
    case = CASES["financial_referral_minimum"]
    chosen = right(case)
    chosen["fields"] = [f for f in chosen["fields"] if f != "money_involved"]
    marked = mark(case, chosen)
    left = point(marked, "Fields needed and left out")
    assert left.right is False
    assert "Money or property involved" in left.why
    assert marked.score < 100


def test_removing_the_alleged_source_whom_the_recipient_needs_is_wrong():
    case = CASES["financial_referral_minimum"]
    chosen = right(case)
    chosen["removed"] = [*chosen["removed"], "nephew"]
    names = point(mark(case, chosen), "Other people's names")
    assert names.right is False
    assert "Kevin Price (her nephew)" in names.why


def test_a_refusal_with_an_unrebutted_ground_answered_do_not_share_is_wrong_naming_it():
    case = CASES["refused_emotional_abuse"]
    chosen = right(case)
    chosen["answers"] = {**chosen["answers"], "accepted": []}
    chosen["decision"] = {"outcome": "do_not_share", "grounds": []}
    marked = mark(case, chosen)
    decision = point(marked, "Your decision")
    assert decision.right is False
    assert "The person is under duress, coercion or undue influence" in decision.why
    assert "nothing you said rebuts it" in decision.why
    assert marked.score < 50
    # the framework itself still recommends sharing, and says why
    recommendation = point(marked, "The framework's recommendation on your answers")
    assert recommendation.why.startswith("Share without consent")


def test_a_wrong_lawful_basis_is_marked_against_those_that_fit():
    case = CASES["refused_emotional_abuse"]
    chosen = right(case)
    chosen["decision"] = {
        **chosen["decision"],
        "article_6": "a",
        "article_9": "a",
        "schedule_1": "",
    }
    basis = point(mark(case, chosen), "Lawful basis")
    assert basis.right is False
    assert "UK GDPR Article 6(1)(a): consent" in basis.why
    assert "Those that fit this decision" in basis.why
    assert "paragraph 18" in basis.why
    assert "never after a refusal" in basis.why


def test_sharing_where_it_would_be_wrong_is_marked_wrong():
    case = CASES["capable_refusal_respected"]
    marked = mark(case, wrong_decision(case))
    assert point(marked, "Your decision").right is False
    assert "respect his refusal" in point(marked, "Your decision").why.lower()
    assert point(marked, "Grounds for sharing without consent").right is False


def test_bad_choices_are_named_by_field():
    case = CASES["financial_referral_minimum"]
    found = scoring.problems(
        case,
        {
            "answers": {"consent": "maybe"},
            "decision": {"outcome": "shrug", "grounds": ["because"], "article_6": "z"},
            "fields": ["shoe_size"],
            "removed": ["the_pope"],
        },
        SHARING,
        REFERRALS,
    )
    assert found["answers.consent"].startswith("Choose one of: given")
    assert found["decision.outcome"].startswith("Choose your decision")
    assert found["decision.grounds"] == "Not grounds in your policy: because"
    assert "decision.article_6" in found
    assert found["fields"].endswith("shoe_size")
    assert found["removed"] == "Not people named in this case: the_pope"


# Properties, over every case and any choices


OUTCOMES = st.sampled_from(
    ["share_with_consent", "share_without_consent", "share_deidentified", "do_not_share", "monitor"]
)


@st.composite
def attempts(draw):
    case = draw(st.sampled_from(list(CASES.values())))
    chosen = right(case)
    answers = dict(chosen["answers"])
    answers["consent"] = draw(st.sampled_from(["given", "refused", "withdrawn", "not_sought"]))
    answers["capacity"] = draw(
        st.sampled_from(["presumed", "has_capacity", "lacks_capacity", "in_doubt"])
    )
    answers["purpose"] = draw(st.sampled_from(["yes", "no", "unsure"]))
    answers["accepted"] = draw(st.lists(st.sampled_from(["crime", "coercion", "cue:child"])))
    grounds = [g.code for g in SHARING.override_grounds]
    decision = {
        "outcome": draw(OUTCOMES),
        "grounds": draw(st.lists(st.sampled_from(grounds), unique=True, max_size=3)),
        "article_6": draw(st.sampled_from(["", *SHARING.article_6])),
        "article_9": draw(st.sampled_from(["", *SHARING.article_9])),
        "schedule_1": draw(st.sampled_from(["", *SHARING.schedule_1])),
    }
    chosen = {"answers": answers, "decision": decision}
    if case.referral:
        offered = [c for c, _ in scoring.offered_fields(case, REFERRALS)]
        chosen["fields"] = draw(st.lists(st.sampled_from(offered), unique=True))
        keys = [p.key for p in case.referral.parties]
        chosen["removed"] = draw(st.lists(st.sampled_from(keys), unique=True)) if keys else []
    return case, chosen


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attempts())
def test_any_attempt_scores_a_percentage_with_a_reason_for_every_point(attempt):
    case, chosen = attempt
    marked = mark(case, chosen)
    assert 0 <= marked.score <= 100
    assert all(p["why"].strip() for p in marked.feedback)
    assert marked.feedback[0]["right"] is None  # the recommendation is information
    assert (marked.score == 100) == all(p.right is not False for p in marked.points)
    assert mark(case, chosen) == marked  # the same choices always mark the same


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attempts(), st.data())
def test_sending_one_more_field_beyond_the_minimum_never_raises_the_score(attempt, data):
    case, chosen = attempt
    if not case.referral:
        return
    selection = scoring.selection_of(case, REFERRALS)
    extra = [
        c
        for c, _ in scoring.offered_fields(case, REFERRALS)
        if c not in selection.minimum and c not in chosen["fields"]
    ]
    if not extra:
        return
    more = {**chosen, "fields": [*chosen["fields"], data.draw(st.sampled_from(extra))]}
    assert mark(case, more).score <= mark(case, chosen).score


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attempts(), st.data())
def test_leaving_a_third_partys_name_in_never_raises_the_score(attempt, data):
    case, chosen = attempt
    if not case.referral or not chosen["removed"]:
        return
    kept = data.draw(st.sampled_from(chosen["removed"]))
    party = next(p for p in case.referral.parties if p.key == kept)
    fewer = {**chosen, "removed": [k for k in chosen["removed"] if k != kept]}
    if party.remove:
        assert mark(case, fewer).score <= mark(case, chosen).score
