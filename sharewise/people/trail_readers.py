"""The audit trail's pages ask this app (see audittrail/readers.py) what only the apps
above the trail know: roles, organisations and who may see whom."""

from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Role
from sharewise.people.models import Person


def may_read_trail(user) -> bool:
    """Safeguarding leads and data protection officers."""
    return scope_for(user).has(Role.SAFEGUARDING_LEAD, Role.DATA_PROTECTION_OFFICER)


def organisation_of(user) -> int | None:
    return scope_for(user).organisation_id


def person_names(user, person_ids) -> dict[int, str]:
    people = Person.objects.visible_to(user, include_merged=True).filter(pk__in=set(person_ids))
    return {p.pk: p.name for p in people}
