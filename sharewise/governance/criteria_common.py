"""What the audit's criteria share: a failure as found, and the words its summary is
written in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from sharewise.sharing.models import (
    ConsentOutcome,
    SharingDecision,
)


@dataclass(frozen=True)
class Failure:
    record_type: str
    record_id: int
    summary: str
    person_id: int | None = None
    team_id: int | None = None


def _day(moment) -> str:
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment)
    return f"{moment:%-d %B %Y}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _words(text) -> int:
    return len((text or "").split())


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def _listed(words: list[str]) -> str:
    return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def _whole_days(span: timedelta) -> int:
    return max(int(span.total_seconds() // 86400), 0)


def _span(span: timedelta) -> str:
    """A lateness in words: days once it is a day or more, else hours."""
    hours = int(span.total_seconds() // 3600)
    return _days(hours // 24) if hours >= 24 else _count(max(hours, 1), "hour")


REFUSALS = (ConsentOutcome.REFUSED, ConsentOutcome.WITHDRAWN)
# A decision counts as made once signed or waiting for its countersignature.
MADE = (SharingDecision.Status.SIGNED, SharingDecision.Status.AWAITING_COUNTERSIGN)
