"""Minimum necessary: a referral starts from what its recipient needs, shows every
other field as left out with the reason, and never grows without a reason."""

from hypothesis import given, settings
from hypothesis import strategies as st

from sharewise.disclosures import minimum
from sharewise.disclosures.minimum import Choice
from sharewise.policy import documents

POLICY = documents.default("referrals")
LA = POLICY.template("local_authority_adults")
EVERYTHING = set(POLICY.fields)
CATEGORIES = sorted({c for t in POLICY.templates for c in t.minimum.categories})


def test_a_financial_abuse_referral_to_the_council_leaves_out_the_care_record():
    chosen = minimum.select(POLICY, LA, "enquiry", ["financial"], EVERYTHING)
    assert {"what_happened", "money_involved", "alleged_source", "s42_criteria"} <= chosen.included
    assert not {"medication", "diagnoses", "care_notes", "other_concerns"} & chosen.included
    medication = chosen.field("medication")
    assert medication.reason.startswith("Not needed for a referral about")
    assert "financial or material abuse" not in medication.reason  # labels only when given
    assert chosen.field("care_notes").reason.startswith("A whole record is never part")
    assert chosen.needs_dpo == "" and chosen.problems == {}


def test_an_injury_referral_needs_the_injuries_and_the_category_label_is_named():
    chosen = minimum.select(
        POLICY,
        LA,
        "enquiry",
        ["physical"],
        EVERYTHING,
        category_labels={"physical": "Physical abuse"},
    )
    assert "injuries" in chosen.included and "money_involved" not in chosen.included
    assert "about physical abuse" in chosen.field("money_involved").reason


def test_adding_a_field_needs_a_reason_and_too_many_need_the_dpo():
    chosen = minimum.select(
        POLICY, LA, "enquiry", ["financial"], EVERYTHING, {"medication": Choice(True)}
    )
    assert chosen.problems == {"medication": "Medication: say why the recipient needs it"}
    chosen = minimum.select(
        POLICY,
        LA,
        "enquiry",
        ["financial"],
        EVERYTHING,
        {
            "medication": Choice(True, "Her bank card was taken with her tablets"),
            "diagnoses": Choice(True, "Dementia affects how she manages money"),
            "person_nhs_number": Choice(True, "The council matches records by it"),
        },
    )
    assert chosen.problems == {}
    assert chosen.beyond == ("person_nhs_number", "medication", "diagnoses")
    assert chosen.needs_dpo == "3 fields beyond the minimum (the policy allows 2)"


def test_whole_care_notes_always_need_the_dpo():
    chosen = minimum.select(
        POLICY,
        LA,
        "enquiry",
        ["financial"],
        EVERYTHING,
        {"care_notes": Choice(True, "The council asked for the full file")},
    )
    assert chosen.needs_dpo == "it includes whole records: care notes"


def test_leaving_out_what_the_recipient_needs_needs_a_reason():
    chosen = minimum.select(
        POLICY, LA, "enquiry", ["financial"], EVERYTHING, {"alleged_source": Choice(False)}
    )
    assert "alleged_source" in chosen.problems
    assert "alleged_source" not in chosen.included


def test_nothing_to_send_is_said_and_cannot_be_added():
    chosen = minimum.select(
        POLICY,
        LA,
        "enquiry",
        ["physical"],
        EVERYTHING - {"injuries", "medication"},
        {"medication": Choice(True, "Her tablets were missing too")},
    )
    assert "injuries" not in chosen.included
    assert chosen.field("injuries").reason == "Sharewise holds nothing for this"
    assert chosen.problems == {"medication": "Medication: there is nothing to send"}


templates = st.sampled_from(POLICY.templates)
category_sets = st.lists(st.sampled_from(CATEGORIES), max_size=4)
availability = st.sets(st.sampled_from(sorted(EVERYTHING)))
choice_maps = st.dictionaries(
    st.sampled_from(sorted(EVERYTHING)),
    st.builds(
        Choice, st.booleans(), st.sampled_from(["", "too short", "the council asked for this"])
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(templates, category_sets, availability)
def test_by_default_exactly_the_available_minimum_is_sent(template, categories, available):
    chosen = minimum.select(POLICY, template, template.purposes[0], categories, available)
    senders = {c for c, f in POLICY.fields.items() if f.source == "sender"}
    expected = chosen.minimum & (set(available) | senders) & set(template.field_codes())
    assert chosen.included == expected
    assert chosen.beyond == () and chosen.problems == {} and chosen.needs_dpo == ""
    assert not any(POLICY.fields[c].whole_record for c in chosen.included)
    assert all(f.reason for f in chosen.fields)


@settings(max_examples=300, deadline=None)
@given(templates, category_sets, availability, choice_maps)
def test_nothing_beyond_the_minimum_without_a_reason(template, categories, available, choices):
    chosen = minimum.select(POLICY, template, template.purposes[0], categories, available, choices)
    for code in chosen.beyond:
        field = chosen.field(code)
        assert code in chosen.problems or len(field.why.split()) >= minimum.MIN_WHY_WORDS
    whole = any(POLICY.fields[c].whole_record for c in chosen.included)
    assert bool(chosen.needs_dpo) == (len(chosen.beyond) > POLICY.allowance or whole)
    again = minimum.select(
        POLICY, template, template.purposes[0], list(reversed(categories)), available, choices
    )
    assert again == chosen
