"""The retention rule on its own: nothing is due before its period has run, a child's
records are kept at least until the birthday the Code sets, and a later contact never
brings a person's day forward."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sharewise.policy import documents
from sharewise.retention import due

POLICY = documents.default("retention")
days = st.dates(min_value=date(1930, 1, 1), max_value=date(2040, 12, 31))


@st.composite
def facts(draw):
    born = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2030, 1, 1)))
    contact = draw(st.dates(min_value=born, max_value=date(2040, 1, 1)))
    died = draw(st.one_of(st.none(), st.dates(min_value=contact, max_value=date(2041, 1, 1))))
    closed = draw(st.one_of(st.none(), st.dates(min_value=born, max_value=date(2042, 1, 1))))
    kinds = draw(st.frozensets(st.sampled_from(["sharing_decisions", "disclosures"])))
    return due.Facts(born, contact, died, closed, kinds)


@given(facts())
def test_a_person_is_due_only_when_every_kind_of_their_records_is(f):
    on, dues = due.person_due(POLICY.periods, f)
    assert on == max(d.on for d in dues)
    assert [d.code for d in dues] == due.kinds_held(f)
    for d in dues:
        period = POLICY.period(d.code)
        assert d.on >= due.add_years(f.last_contact, period.years)
        assert d.why


@given(facts())
def test_a_childs_records_are_kept_until_the_25th_birthday_or_26th_if_17(f):
    if not due.was_child(f) or f.died is not None:
        return
    (children,) = [d for d in due.person_due(POLICY.periods, f)[1] if d.code.startswith("child")]
    age = 26 if due.age_on(f.born, f.last_contact) >= 17 else 25
    assert children.on >= due.add_years(f.born, age)
    assert children.on == max(due.add_years(f.born, age), f.last_contact)


@given(facts())
def test_after_death_the_period_runs_from_the_death(f):
    if f.died is None:
        return
    for d in due.person_due(POLICY.periods, f)[1]:
        assert d.on >= due.add_years(f.died, 8)


@given(facts(), st.integers(1, 4000))
def test_a_later_contact_never_brings_the_day_forward(f, later):
    on, _ = due.person_due(POLICY.periods, f)
    moved = due.Facts(f.born, f.last_contact + timedelta(days=later), f.died, None, f.kinds)
    before = due.Facts(f.born, f.last_contact, f.died, None, f.kinds)
    if due.was_child(moved) != due.was_child(before):
        return  # a different kind of record, under a different rule
    assert due.person_due(POLICY.periods, moved)[0] >= due.person_due(POLICY.periods, before)[0]


@given(facts())
def test_disclosures_run_from_a_later_enquiry_close(f):
    d = due.due_for(POLICY.period("disclosures"), f)
    start = max(f.last_contact, f.last_enquiry_closed or f.last_contact)
    if f.died is None:
        assert d.on == due.add_years(start, 8)


def test_a_kind_missing_from_the_policy_is_never_due():
    periods = [p for p in POLICY.periods if p.code != "audit_trail"]
    assert due.person_due(periods, due.Facts(date(1950, 1, 1), date(2000, 1, 1)))[0] is None


def test_29_february_becomes_28_february():
    assert due.add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
