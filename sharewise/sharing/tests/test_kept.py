"""The fields a decision keeps for its outcome: whatever is typed, a decision never
stores more than its outcome decides, and never loses what its outcome needs."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from sharewise.sharing import kept

text = st.text(max_size=20)
values = st.fixed_dictionaries(
    {
        **{name: text for name in (*kept.ALWAYS, *kept.RECIPIENT, "not_told_reason")},
        "departure_rationale": text,
        "override_grounds": st.lists(st.sampled_from(["others_at_risk", "crime", "vital"])),
        "article_6": st.sampled_from(["", "c", "e", "f"]),
        "article_9": st.sampled_from(["", "b", "g", "h"]),
        "schedule_1": st.sampled_from(["", "para_6", "para_18"]),
        "channel": st.sampled_from(["", "secure_email", "phone"]),
        "person_told": st.sampled_from(["", "yes", "no"]),
        "review_date": st.none() | st.dates(),
    }
)
outcomes = st.sampled_from(kept.OUTCOMES)


def _blank(value) -> bool:
    return value in ("", [], None)


@given(outcomes, values, st.booleans())
def test_a_field_not_kept_for_an_outcome_is_never_stored(outcome, data, departing):
    stored = kept.kept_fields(outcome, data, departing=departing)
    assert set(stored) == set(kept.FIELDS)
    sharing = kept.is_sharing(outcome)
    if not sharing:
        for name in (*kept.RECIPIENT, *kept.TELLING, "not_told_reason", *kept.BASIS):
            assert _blank(stored[name]), name
    else:
        assert stored["review_date"] is None
    if outcome != "share_without_consent":
        assert stored["override_grounds"] == []
    if outcome not in ("share_with_consent", "share_without_consent"):
        assert all(_blank(stored[name]) for name in kept.BASIS)
    if stored["article_9"] != "g":
        assert stored["schedule_1"] == ""
    if stored["person_told"] != "no":
        assert stored["not_told_reason"] == ""
    if not departing:
        assert stored["departure_rationale"] == ""


@given(outcomes, values, st.booleans())
def test_each_outcome_keeps_its_required_fields(outcome, data, departing):
    filled = {
        **data,
        **{name: "Written in full" for name in (*kept.ALWAYS, *kept.RECIPIENT)},
        "override_grounds": ["others_at_risk"],
        "article_6": "e",
        "article_9": "g",
        "schedule_1": "para_18",
        "channel": "secure_email",
        "person_told": "yes",
        "review_date": date(2030, 1, 1),
    }
    stored = kept.kept_fields(outcome, filled, departing=departing)
    for name in (*kept.ALWAYS, *kept.REQUIRED[outcome]):
        assert not _blank(stored[name]), name
        expected = filled[name]
        assert stored[name] == (expected.strip() if isinstance(expected, str) else expected)


@given(outcomes, values, st.booleans())
def test_kept_text_is_trimmed_and_otherwise_as_written(outcome, data, departing):
    stored = kept.kept_fields(outcome, data, departing=departing)
    for name in kept.ALWAYS:
        assert stored[name] == data[name].strip()
    if departing:
        assert stored["departure_rationale"] == data["departure_rationale"].strip()


def test_a_refusal_keeps_its_review_date_and_names_no_recipient():
    stored = kept.kept_fields(
        "do_not_share",
        {
            "question": " Tell the council? ",
            "recipient_organisation": "Northshire County Council",
            "person_told": "no",
            "not_told_reason": "It would alert her son.",
            "review_date": date(2030, 1, 1),
        },
        departing=False,
    )
    assert stored["question"] == "Tell the council?"
    assert stored["recipient_organisation"] == ""
    assert stored["not_told_reason"] == ""
    assert stored["review_date"] == date(2030, 1, 1)
