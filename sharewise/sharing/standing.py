"""Which sharing decision about a person stands, worked out from the decisions' history
alone. Plain data in, plain data out: review alerts, the sweep, the meeting agenda,
the audit, the framework's facts and the person's page all ask this one question, so
they cannot disagree about it.

The rules:
- a decision counts once it is signed: at once when recorded without needing a
  countersignature, or when countersigned;
- a decision waiting for a countersignature, declined or superseded never stands
  (the one before it stands meanwhile);
- of the signed decisions, the one decided last stands; an earlier one stops standing
  the moment a later one is signed;
- amendments and reviews change a decision's review date, never whether it stands.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

SIGNED = "signed"
AWAITING = "awaiting_countersign"
DECLINED = "declined"
SUPERSEDED = "superseded"
NOT_SHARING = ("do_not_share", "monitor")


@dataclass(frozen=True)
class Decision:
    """What the rules need of one decision."""

    id: int
    decided_at: datetime
    outcome: str
    status: str
    countersigned_at: datetime | None = None
    review_date: date | None = None  # as amended or reviewed

    @property
    def signed_at(self) -> datetime | None:
        if self.status != SIGNED:
            return None
        return self.countersigned_at or self.decided_at

    @property
    def is_refusal(self) -> bool:
        return self.outcome in NOT_SHARING


def _order(d: Decision):
    return (d.decided_at, d.id)


def standing(decisions: Iterable[Decision]) -> Decision | None:
    """The decision that stands now, or None."""
    signed = [d for d in decisions if d.status == SIGNED]
    return max(signed, key=_order, default=None)


def stood(decisions: Iterable[Decision]) -> dict[int, tuple[datetime, datetime | None]]:
    """When each decision stood: {id: (from, until or None while it still stands)}.
    Decisions that never stood are left out."""
    signed = sorted((d for d in decisions if d.status == SIGNED), key=_order)
    periods: dict[int, tuple[datetime, datetime | None]] = {}
    for i, d in enumerate(signed):
        start = d.signed_at
        # Replaced when the first later-decided decision is signed; a later decision
        # signed before this one was countersigned means this one never stood.
        until = min((later.signed_at for later in signed[i + 1 :]), default=None)
        if until is not None and until <= start:
            continue
        periods[d.id] = (start, until)
    return periods


def superseded_by(decisions: Iterable[Decision], decision_id: int) -> Decision | None:
    """For a decision waiting for a countersignature: the later signed decision that has
    already replaced it (countersigning it then could not make it stand), or None."""
    decisions = list(decisions)
    target = next((d for d in decisions if d.id == decision_id), None)
    if target is None:
        return None
    later = [d for d in decisions if d.status == SIGNED and _order(d) > _order(target)]
    return max(later, key=_order, default=None)


def review_due(decision: Decision | None, today: date) -> bool:
    """Whether the standing decision is a refusal whose review date has come."""
    return bool(
        decision is not None
        and decision.is_refusal
        and decision.review_date is not None
        and decision.review_date <= today
    )


def review_until(decision: Decision, review_days: int) -> date | None:
    """The last day of a signed decision's review period: its review date, or (a
    decision to share has none) the policy's days from when it was signed."""
    if decision.signed_at is None:
        return None
    return decision.review_date or (decision.signed_at.date() + timedelta(days=review_days))


def contradicted(
    decisions: Iterable[Decision], outcome: str, today: date, review_days: int
) -> Decision | None:
    """The standing decision a new decision with this outcome would contradict (one
    shares, the other does not) while the standing one is within its review period;
    else None. Such a decision needs its reason written and goes to the lead."""
    stands = standing(decisions)
    if stands is None or not outcome or (outcome in NOT_SHARING) == stands.is_refusal:
        return None
    until = review_until(stands, review_days)
    return stands if until is not None and today <= until else None
