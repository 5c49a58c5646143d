"""Which information-sharing agreement covers a disclosure, or exactly why none does.

An agreement is with a partner organisation as a whole (a council covers all of its
teams), for some purposes and some categories of harm (none listed: all of them),
from its start date until its review date, unless retired. Sharing without one may
still be lawful; the sender then says why.

Plain data in, plain data out: no database, no request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

NO_PARTNER = "no_partner"
RETIRED = "retired"
NOT_STARTED = "not_started"
LAPSED = "lapsed"
PURPOSE = "purpose"
CATEGORY = "category"

# An agreement failing for a reason earlier here is nearer to covering: the one
# reported is the nearest, so the sender sees the most useful reason.
NEAREST_FIRST = (LAPSED, CATEGORY, PURPOSE, NOT_STARTED, RETIRED)


@dataclass(frozen=True)
class Terms:
    """One agreement as it stands: who with, for what, and when."""

    id: int
    title: str
    partner_organisation: str
    purposes: frozenset[str]
    categories: frozenset[str]  # empty: every category
    starts: date
    review: date
    retired: bool = False


@dataclass(frozen=True)
class Cover:
    """The agreement that covers it, or None and the reason (a code and the words)."""

    agreement: Terms | None
    reason: str = ""
    words: str = ""

    @property
    def covered(self) -> bool:
        return self.agreement is not None


def same_organisation(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def problem(terms: Terms, purpose: str, categories: frozenset[str], on: date) -> str:
    """Why this agreement (already with the right partner) does not cover it, or ""."""
    if terms.retired:
        return RETIRED
    if on < terms.starts:
        return NOT_STARTED
    if on > terms.review:
        return LAPSED
    if purpose not in terms.purposes:
        return PURPOSE
    if terms.categories and not categories <= terms.categories:
        return CATEGORY
    return ""


def covering(agreements, partner_organisation: str, purpose: str, categories, on: date) -> Cover:
    """The agreement covering sharing with this partner organisation for this purpose
    and these categories on this day (the one reviewed latest, when several do), or
    why none does."""
    categories = frozenset(categories)
    theirs = [
        a for a in agreements if same_organisation(a.partner_organisation, partner_organisation)
    ]
    if not partner_organisation.strip() or not theirs:
        return Cover(
            None,
            NO_PARTNER,
            f"There is no information-sharing agreement with {partner_organisation.strip() or 'this recipient'}.",
        )
    found = {a: problem(a, purpose, categories, on) for a in theirs}
    fitting = [a for a, p in found.items() if not p]
    if fitting:
        return Cover(max(fitting, key=lambda a: (a.review, a.id)))
    nearest = min(
        theirs, key=lambda a: (NEAREST_FIRST.index(found[a]), -a.review.toordinal(), -a.id)
    )
    return Cover(None, found[nearest], _words(nearest, found[nearest], purpose, categories))


def _words(a: Terms, reason: str, purpose: str, categories: frozenset[str]) -> str:
    name = f"The agreement “{a.title}”"
    if reason == RETIRED:
        return f"{name} has been retired."
    if reason == NOT_STARTED:
        return f"{name} does not start until {a.starts:%-d %B %Y}."
    if reason == LAPSED:
        return f"{name} lapsed: its review date was {a.review:%-d %B %Y}."
    if reason == PURPOSE:
        return f"{name} does not cover this purpose ({purpose})."
    missing = ", ".join(sorted(categories - a.categories))
    return f"{name} does not cover these categories of information: {missing}."


def due_for_review(agreements, today: date, within_days: int) -> list[Terms]:
    """Current agreements whose review date has passed or comes within the days,
    soonest first."""
    return sorted(
        (a for a in agreements if not a.retired and (a.review - today).days <= within_days),
        key=lambda a: (a.review, a.id),
    )
