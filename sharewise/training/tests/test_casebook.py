"""The casebook: every shipped case is valid, agrees with the policies it is marked
against, and the answers key gives the decision it says is right."""

import pytest

from sharewise.policy import documents
from sharewise.sharing import framework
from sharewise.training import casebook, scoring

SHARING = documents.default("sharing")
REFERRALS = documents.default("referrals")
RECORDING = documents.default("recording")
CASES = casebook.read()


def test_at_least_twelve_cases_ship_covering_what_the_issue_asks():
    assert len(CASES) >= 12
    trains = {c.trains for c in CASES.values()}
    assert {"consent", "fragmented", "over_sharing"} <= trains
    tags = {t for c in CASES.values() for t in c.tags}
    assert {"children", "capacity", "staff_alleged_source", "sharing_would_be_wrong"} <= tags
    assert any(c.is_child for c in CASES.values())
    assert {"lacks_capacity", "fluctuating"} <= tags
    assert any(c.kind == "referral" for c in CASES.values())
    wrong_to_share = [c for c in CASES.values() if "sharing_would_be_wrong" in c.tags]
    assert all(c.key.decision.outcome == "do_not_share" for c in wrong_to_share)


def test_titles_keeps_every_case_in_file_order():
    assert list(casebook.titles()) == list(CASES)
    assert casebook.titles()["refused_emotional_abuse"].startswith("Margaret says no")


@pytest.mark.parametrize("code", list(CASES))
def test_each_case_uses_the_policies_codes(code):
    case = CASES[code]
    categories = {c.code for c in RECORDING.categories}
    indicators = {i.code for i in RECORDING.risk_indicators}
    grounds = {g.code for g in SHARING.override_grounds}
    for concern in case.concerns:
        assert set(concern.categories) <= categories, concern.categories
        assert set(concern.risk_indicators) <= indicators, concern.risk_indicators
    assert set(case.key.decision.grounds) <= grounds
    assert not framework.problems(scoring.answers_of(case.key.answers), SHARING)
    if case.referral:
        template = scoring.template_of(case, REFERRALS)
        assert case.referral.purpose in template.purposes
        assert set(case.referral.record) <= set(REFERRALS.fields)
        assert set(case.referral.categories) <= categories


@pytest.mark.parametrize("code", list(CASES))
def test_the_answers_key_gives_the_right_decision(code):
    case = CASES[code]
    facts = scoring.facts_of(case, SHARING, RECORDING)
    rec = framework.recommend(scoring.answers_of(case.key.answers), facts, SHARING)
    assert rec.outcome == case.key.decision.outcome, [r.text for r in rec.reasons]
    assert set(case.key.decision.grounds) <= set(rec.grounds)


def test_a_broken_case_file_names_the_file_and_field(tmp_path):
    good = (casebook.CASES / "09_capable_refusal_respected.yaml").read_text()
    (tmp_path / "01_fine.yaml").write_text(good)
    (tmp_path / "02_broken.yaml").write_text(good.replace("kind: decision", "kind: lecture"))
    with pytest.raises(casebook.CaseError) as raised:
        casebook.read(tmp_path)
    assert "02_broken.yaml: kind:" in str(raised.value)


def test_a_case_with_an_unknown_field_is_refused(tmp_path):
    good = (casebook.CASES / "09_capable_refusal_respected.yaml").read_text()
    (tmp_path / "01.yaml").write_text(good + "\nsecret_note: nope\n")
    with pytest.raises(casebook.CaseError, match=r"01.yaml: secret_note: Extra inputs"):
        casebook.read(tmp_path)


def test_the_case_shown_to_staff_has_no_answers_key():
    shown = CASES["refused_emotional_abuse"].shown()
    assert "key" not in shown
    assert shown["person"]["given"] == "Margaret"
