"""One calendar month from receipt, as the ICO reads Article 12(3)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharewise.rights import deadlines

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


def test_the_corresponding_date_next_month_or_its_last_day():
    assert deadlines.deadline(date(2026, 3, 3)) == date(2026, 4, 3)
    assert deadlines.deadline(date(2027, 1, 31)) == date(2027, 2, 28)
    assert deadlines.deadline(date(2028, 1, 30)) == date(2028, 2, 29)
    assert deadlines.deadline(date(2026, 12, 15)) == date(2027, 1, 15)
    assert deadlines.deadline(date(2026, 11, 30), 2) == date(2027, 2, 28)


@given(days, st.integers(0, 2))
def test_the_deadline_is_that_many_months_on_on_the_same_day_or_the_months_last(day, extra):
    due = deadlines.deadline(day, extra)
    months = (due.year - day.year) * 12 + due.month - day.month
    assert months == 1 + extra
    assert due.day == day.day or (due.day < day.day and (due + timedelta(days=1)).day == 1)
    assert due > day


@given(days, days)
def test_a_later_receipt_never_has_an_earlier_deadline(a, b):
    first, second = sorted((a, b))
    assert deadlines.deadline(first) <= deadlines.deadline(second)


@given(days)
def test_an_extension_only_moves_the_deadline_later(day):
    assert deadlines.deadline(day) < deadlines.deadline(day, 1) < deadlines.deadline(day, 2)


def test_more_than_two_further_months_is_refused():
    with pytest.raises(ValueError):
        deadlines.deadline(date(2026, 1, 1), 3)


@given(days, st.integers(-40, 40))
def test_flagged_overdue_once_the_day_has_passed_and_due_soon_within_a_week(due, offset):
    today = due + timedelta(days=offset)
    state = deadlines.state(due, today)
    if offset > 0:
        assert state == deadlines.OVERDUE
    elif offset >= -deadlines.SOON_DAYS:
        assert state == deadlines.DUE_SOON
    else:
        assert state == deadlines.ON_TIME
