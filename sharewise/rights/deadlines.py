"""When a subject access request must be answered (UK GDPR Article 12(3)): within one
calendar month of receipt, extendable by up to two further months where requests are
complex or numerous, provided the person is told within the first month.

The ICO's reading of "one calendar month": the corresponding calendar date in the next
month, or the last day of that month when it has no such date (received 31 January:
due 28 or 29 February). Extensions count whole months from receipt the same way.

Plain Python with no Django, so it can be read and tested on its own."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

MAX_EXTENSION_MONTHS = 2
SOON_DAYS = 7

ON_TIME, DUE_SOON, OVERDUE = "on_time", "due_soon", "overdue"


def add_months(day: date, months: int) -> date:
    """The corresponding date `months` calendar months on, or the last day of that
    month when it is shorter."""
    if months < 0:
        raise ValueError("months must not be negative")
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def deadline(received_on: date, extension_months: int = 0) -> date:
    """The last day to answer: one calendar month from receipt, plus any extension."""
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"an extension is 0 to {MAX_EXTENSION_MONTHS} months")
    return add_months(received_on, 1 + extension_months)


def tell_of_extension_by(received_on: date) -> date:
    """The person must be told of an extension, with the reasons, within the first month."""
    return deadline(received_on)


def state(due: date, today: date, *, soon_days: int = SOON_DAYS) -> str:
    """OVERDUE once the last day has passed, DUE_SOON within soon_days of it (the last
    day included), ON_TIME before that."""
    if today > due:
        return OVERDUE
    if today >= due - timedelta(days=soon_days):
        return DUE_SOON
    return ON_TIME
