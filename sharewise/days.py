"""Whole days in the organisation's time zone: how every list and search reads a 'from'
and a 'to' day, pages and API alike."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


def day_start(day, plus_days: int = 0):
    """Midnight at the start of the day, local time; None for no day or past the
    calendar's end (the day after 31 December 9999: no end)."""
    if day is None:
        return None
    try:
        return timezone.make_aware(datetime.combine(day + timedelta(days=plus_days), time.min))
    except OverflowError:
        return None


def on_days(found, field: str, first: date | None, last: date | None):
    """The records whose `field` falls on the days from `first` to `last`, both included
    and either open, in the organisation's time zone. A moment is compared with the
    midnights around those days, so an index on it still serves. A 'from' after the 'to'
    is refused naming it, rather than answering an empty list."""
    if first and last and first > last:
        raise ValidationError({"from": ["Give a 'from' day on or before the 'to' day"]})
    moment = isinstance(found.model._meta.get_field(field), models.DateTimeField)
    if first:
        start = day_start(first) if moment else first
        found = found.filter(**{f"{field}__gte": start}) if start else found.none()
    if last:
        after = day_start(last, plus_days=1) if moment else None
        if moment and after:
            found = found.filter(**{f"{field}__lt": after})
        elif not moment:
            found = found.filter(**{f"{field}__lte": last})
    return found
