"""Reading the trail: a person's entries, and searching an organisation's."""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from sharewise.audittrail.models import Entry


def day_start(day, plus_days: int = 0):
    """Midnight at the start of the day, local time; None for no day or past the
    calendar's end (the day after 31 December 9999: no end)."""
    if day is None:
        return None
    try:
        return timezone.make_aware(datetime.combine(day + timedelta(days=plus_days), time.min))
    except OverflowError:
        return None


def for_person(person_id: int, limit: int = 50):
    """Who has looked at or changed this person's record, newest first."""
    return Entry.objects.filter(person_id=person_id).order_by("-at", "-id")[:limit]


def search(
    organisation_id: int,
    *,
    person_id: int | None = None,
    actor_id: int | None = None,
    since=None,
    until=None,
):
    entries = Entry.objects.filter(organisation_id=organisation_id)
    if person_id is not None:
        entries = entries.filter(person_id=person_id)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if since is not None:
        entries = entries.filter(at__gte=since)
    if until is not None:
        entries = entries.filter(at__lt=until)
    return entries.order_by("-at", "-id")


def search_by(
    organisation_id: int,
    *,
    person_id: int | None = None,
    username: str | None = None,
    since_day=None,
    until_day=None,
):
    """search() as the trail pages and the API ask it: by staff username (nobody
    matches an unknown one) and whole days, the last one included."""
    actor_id = None
    if username:
        actor = get_user_model().objects.filter(username=username).first()
        actor_id = actor.pk if actor else -1
    return search(
        organisation_id,
        person_id=person_id,
        actor_id=actor_id,
        since=day_start(since_day),
        until=day_start(until_day, plus_days=1),
    )


def staff_names(user_ids) -> dict[int, str]:
    """Full names (or usernames) of the staff who wrote these entries."""
    users = get_user_model().objects.filter(pk__in=set(user_ids))
    return {u.pk: u.get_full_name() or u.username for u in users}
