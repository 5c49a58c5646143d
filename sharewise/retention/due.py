"""When each kind of record about a person becomes due for destruction, and why: plain
functions over plain data (the person's dates and the retention policy), so the rule
can be read and property-tested alone. The person is due when every kind of record
they have is due: destruction removes their personal content from all of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CHILD_UNDER = 18


@dataclass(frozen=True)
class Facts:
    """What the rule needs to know about one person. last_contact: the latest concern,
    amendment, sharing decision or disclosure (or the end of care); kinds: the kinds of
    record they have beyond their safeguarding records."""

    born: date
    last_contact: date
    died: date | None = None
    last_enquiry_closed: date | None = None
    kinds: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Due:
    code: str
    label: str
    on: date
    why: str


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def was_child(facts: Facts) -> bool:
    return age_on(facts.born, facts.last_contact) < CHILD_UNDER


def kinds_held(facts: Facts) -> list[str]:
    """The kinds of record the person has: their safeguarding records (children's when
    they were a child at their last contact), the audit trail's text about them, and
    the rest as they have them."""
    held = ["children_safeguarding" if was_child(facts) else "adult_safeguarding"]
    held += [k for k in ("sharing_decisions", "disclosures") if k in facts.kinds]
    return [*held, "audit_trail"]


def _fmt(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def due_for(period, facts: Facts) -> Due:
    """When one kind of record is due under its period (an object with the fields of
    policy.documents.retention.Period), and why in words."""
    start, start_words = facts.last_contact, "the last contact"
    if (
        period.runs_from == "last_enquiry_closed"
        and facts.last_enquiry_closed is not None
        and facts.last_enquiry_closed > start
    ):
        start, start_words = facts.last_enquiry_closed, "the close of the last enquiry"
    on = add_years(start, period.years)
    why = f"{period.years} years after {start_words} ({_fmt(start)})"
    if facts.died is not None and period.years_after_death:
        after_death = add_years(facts.died, period.years_after_death)
        if after_death > on:
            on = after_death
            why = f"{period.years_after_death} years after death ({_fmt(facts.died)})"
    elif period.until_age:
        age = period.until_age
        if period.older_at and age_on(facts.born, facts.last_contact) >= period.older_at:
            age += 1
        birthday = add_years(facts.born, age)
        if birthday > on:
            on = birthday
            why = f"the {age}th birthday ({_fmt(birthday)})"
    return Due(period.code, period.label, on, why)


def person_due(periods, facts: Facts) -> tuple[date | None, list[Due]]:
    """The day the person becomes due (the latest of their kinds' days) and each kind's
    day. A kind with no period in the policy is never due, and so nor is the person."""
    by_code = {p.code: p for p in periods}
    dues = []
    for code in kinds_held(facts):
        if code not in by_code:
            return None, dues
        dues.append(due_for(by_code[code], facts))
    return max(d.on for d in dues), dues
