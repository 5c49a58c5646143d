"""The data protection officer's review list: who is due for destruction under the
retention policy in force, by which rule and since when, and who is held."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from sharewise.people.models import Person
from sharewise.policy import store
from sharewise.retention import due, facts
from sharewise.retention.models import Destruction, LegalHold


def today() -> date:
    return timezone.localdate()


@dataclass
class Row:
    person: Person
    on: date | None
    dues: list[due.Due]
    hold: LegalHold | None = None
    proposed: Destruction | None = None

    def as_json(self) -> dict:
        return {
            "due": self.on.isoformat() if self.on else None,
            "rules": [[d.code, d.on.isoformat(), d.why] for d in self.dues],
        }


@dataclass
class ReviewList:
    on: date
    policy_version: object
    due: list[Row] = field(default_factory=list)
    held: list[Row] = field(default_factory=list)
    not_yet: int = 0


def destroyed_ids(organisation_id: int) -> set[int]:
    return set(
        Destruction.people.through.objects.filter(
            destruction__organisation_id=organisation_id,
            destruction__status=Destruction.Status.DONE,
        ).values_list("person_id", flat=True)
    )


def holds_in_place(person_ids) -> dict[int, LegalHold]:
    found = {}
    for hold in LegalHold.objects.filter(person_id__in=person_ids, lifted_at__isnull=True):
        found.setdefault(hold.person_id, hold)
    return found


def rows_for(organisation_id: int, people, on: date | None = None) -> list[Row]:
    """A row for each of these people: when they are due, by which rules, any hold."""
    on = on or today()
    _, policy = store.in_force(organisation_id, "retention")
    people = list(people)
    gathered = facts.gather(people)
    holds = holds_in_place([p.pk for p in people])
    rows = []
    for p in people:
        f = gathered.get(p.pk)
        when, dues = due.person_due(policy.periods, f) if f else (None, [])
        rows.append(Row(p, when, dues, holds.get(p.pk)))
    return rows


def review_list(organisation_id: int, on: date | None = None) -> ReviewList:
    """Everyone in the organisation past retention on `on`: due, or held."""
    on = on or today()
    version, _ = store.in_force(organisation_id, "retention")
    people = Person.objects.filter(organisation_id=organisation_id, merged_into__isnull=True)
    people = people.exclude(pk__in=destroyed_ids(organisation_id))
    found = ReviewList(on, version)
    waiting = {}
    for d in Destruction.objects.filter(
        organisation_id=organisation_id, status=Destruction.Status.PROPOSED
    ).prefetch_related("people"):
        for p in d.people.all():
            waiting[p.pk] = d
    for row in rows_for(organisation_id, people.order_by("family_name", "given_name", "pk"), on):
        if row.on is None or row.on > on:
            found.not_yet += 1
            continue
        row.proposed = waiting.get(row.person.pk)
        (found.held if row.hold else found.due).append(row)
    found.due.sort(key=lambda r: (r.on, r.person.pk))
    return found
