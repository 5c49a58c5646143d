"""Reading the trail: a person's entries, and searching an organisation's."""

from django.contrib.auth import get_user_model

from sharewise.audittrail.models import Entry
from sharewise.days import on_days


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
    entries = search(organisation_id, person_id=person_id, actor_id=actor_id)
    return on_days(entries, "at", since_day, until_day)


def staff_names(user_ids) -> dict[int, str]:
    """Full names (or usernames) of the staff who wrote these entries."""
    users = get_user_model().objects.filter(pk__in=set(user_ids))
    return {u.pk: u.get_full_name() or u.username for u in users}
