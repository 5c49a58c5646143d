"""Which agreement covers a disclosure, or why none does: plain logic, tried on many
made-up sets of agreements."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sharewise.disclosures import coverage

ORGS = ["Northshire County Council", "Northshire Police", "Dr Patel's surgery"]
PURPOSES = ["enquiry", "crime", "health"]
CATEGORIES = ["financial", "physical", "neglect"]
DAY = date(2026, 12, 7)

terms = st.builds(
    coverage.Terms,
    id=st.integers(1, 10_000),
    title=st.sampled_from(["A", "B", "C"]),
    partner_organisation=st.sampled_from(ORGS),
    purposes=st.frozensets(st.sampled_from(PURPOSES)),
    categories=st.frozensets(st.sampled_from(CATEGORIES)),
    starts=st.integers(-400, 30).map(lambda d: DAY + timedelta(days=d)),
    review=st.integers(-30, 400).map(lambda d: DAY + timedelta(days=d)),
    retired=st.booleans(),
)
asked = st.tuples(
    st.sampled_from(ORGS),
    st.sampled_from(PURPOSES),
    st.frozensets(st.sampled_from(CATEGORIES)),
)


@given(st.lists(terms, max_size=6), asked)
def test_an_agreement_found_covers_it_and_none_found_means_none_does(agreements, question):
    org, purpose, categories = question
    cover = coverage.covering(agreements, org, purpose, categories, DAY)
    fits = [
        a
        for a in agreements
        if a.partner_organisation == org
        and not a.retired
        and a.starts <= DAY <= a.review
        and purpose in a.purposes
        and (not a.categories or categories <= a.categories)
    ]
    if cover.covered:
        assert cover.agreement in fits and cover.reason == ""
    else:
        assert not fits and cover.reason and cover.words


@given(st.lists(terms, max_size=6), asked)
def test_the_reason_given_is_true_of_the_nearest_agreement(agreements, question):
    org, purpose, categories = question
    cover = coverage.covering(agreements, org, purpose, categories, DAY)
    theirs = [a for a in agreements if a.partner_organisation == org]
    if not theirs:
        assert cover.reason == coverage.NO_PARTNER
    elif not cover.covered:
        found = {coverage.problem(a, purpose, categories, DAY) for a in theirs}
        assert cover.reason in found
        # Nothing nearer to covering was passed over.
        rank = coverage.NEAREST_FIRST.index
        assert all(rank(cover.reason) <= rank(p) for p in found)


@given(st.lists(terms, max_size=6), asked, terms)
def test_a_retired_agreement_never_changes_the_answer(agreements, question, extra):
    org, purpose, categories = question
    before = coverage.covering(agreements, org, purpose, categories, DAY)
    retired = coverage.Terms(**{**extra.__dict__, "retired": True, "id": 20_000})
    after = coverage.covering([*agreements, retired], org, purpose, categories, DAY)
    assert after.agreement == before.agreement


def test_the_organisation_is_matched_whatever_its_case_and_spacing():
    a = coverage.Terms(
        1, "ISA", "Northshire  County Council", frozenset({"enquiry"}), frozenset(), DAY, DAY
    )
    assert coverage.covering([a], "northshire county council", "enquiry", [], DAY).covered


def test_each_reason_in_words():
    base = dict(
        id=1,
        title="ISA",
        partner_organisation="Council",
        purposes=frozenset({"enquiry"}),
        categories=frozenset({"financial"}),
        starts=DAY - timedelta(days=10),
        review=DAY + timedelta(days=10),
    )

    def why(*, purpose="enquiry", categories=("financial",), **changed):
        found = coverage.covering(
            [coverage.Terms(**{**base, **changed})], "Council", purpose, categories, DAY
        )
        return found.words

    assert why(review=DAY - timedelta(days=1)) == (
        "The agreement “ISA” lapsed: its review date was 6 December 2026."
    )
    assert "does not start until" in why(starts=DAY + timedelta(days=1))
    assert why(retired=True) == "The agreement “ISA” has been retired."
    assert "does not cover this purpose (crime)" in why(purpose="crime")
    assert why(categories=("financial", "physical")).endswith("information: physical.")
    assert coverage.covering([], "Council", "enquiry", [], DAY).words == (
        "There is no information-sharing agreement with Council."
    )


@given(st.lists(terms, max_size=8), st.integers(0, 60))
def test_due_for_review_lists_current_agreements_within_the_days(agreements, days):
    due = coverage.due_for_review(agreements, DAY, days)
    assert all(not a.retired and (a.review - DAY).days <= days for a in due)
    assert len(due) == sum(1 for a in agreements if not a.retired and (a.review - DAY).days <= days)
    assert [a.review for a in due] == sorted(a.review for a in due)
