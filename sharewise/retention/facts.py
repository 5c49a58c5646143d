"""Gathering what the retention rule (due.py) needs to know about people, a few
grouped queries for a whole organisation: their birth dates, last contact, whether
they are still in our care, and the kinds of record they have."""

from __future__ import annotations

from datetime import date

from django.db.models import Max
from django.utils import timezone

from sharewise.concerns.models import Amendment, ConcernPerson
from sharewise.disclosures.models import Disclosure, Response
from sharewise.people.models import Enrolment, Person
from sharewise.retention import due
from sharewise.sharing.models import SharingDecision


def _day(value) -> date | None:
    if value is None:
        return None
    return timezone.localdate(value) if hasattr(value, "tzinfo") else value


def _latest(into: dict, rows) -> None:
    """Keep, for each person (mapped to the record kept when merged), the latest date."""
    for person_id, when in rows:
        when = _day(when)
        if when is not None and (into.get(person_id) is None or when > into[person_id]):
            into[person_id] = when


def last_enquiry_closed(person_ids) -> dict[int, date]:
    """When the last section 42 enquiry about each person closed, as currently recorded
    on the outcomes partners sent back (a correction counts, what it replaced does not)."""
    return dict(
        Response.objects.filter(
            disclosure__person_id__in=list(person_ids),
            kind=Response.Kind.OUTCOME,
            replaced_by__isnull=True,
            enquiry_closed_on__isnull=False,
        )
        .values("disclosure__person_id")
        .annotate(last=Max("enquiry_closed_on"))
        .values_list("disclosure__person_id", "last")
    )


def gather(people) -> dict[int, due.Facts | None]:
    """Facts for each person (Person rows, not merged into another); None for a person
    still in our care (an enrolment with no end), who is never due."""
    people = list(people)
    ids = [p.pk for p in people]
    # A record merged into one of them counts as theirs.
    owner = {pk: pk for pk in ids}
    owner.update(Person.objects.filter(merged_into_id__in=ids).values_list("pk", "merged_into_id"))
    every = list(owner)
    last: dict[int, date] = {}

    def add(rows):
        _latest(last, ((owner[pid], when) for pid, when in rows))

    add(
        ConcernPerson.objects.filter(person_id__in=every)
        .values("person_id")
        .annotate(at=Max("concern__recorded_at"))
        .values_list("person_id", "at")
    )
    add(
        Amendment.objects.filter(concern__links__person_id__in=every)
        .values("concern__links__person_id")
        .annotate(at=Max("amended_at"))
        .values_list("concern__links__person_id", "at")
    )
    decided = list(
        SharingDecision.objects.filter(person_id__in=every)
        .values("person_id")
        .annotate(at=Max("decided_at"))
        .values_list("person_id", "at")
    )
    add(decided)
    sent = list(
        Disclosure.objects.filter(person_id__in=every)
        .values("person_id")
        .annotate(at=Max("sent_at"))
        .values_list("person_id", "at")
    )
    add(sent)
    in_care = {
        owner[pid]
        for pid in Enrolment.objects.filter(person_id__in=every, end_date__isnull=True)
        .values_list("person_id", flat=True)
        .distinct()
    }
    add(
        Enrolment.objects.filter(person_id__in=every)
        .values("person_id")
        .annotate(at=Max("end_date"))
        .values_list("person_id", "at")
    )
    with_decisions = {owner[pid] for pid, _ in decided}
    with_disclosures = {owner[pid] for pid, _ in sent}
    closed: dict[int, date] = {}
    _latest(closed, ((owner[pid], when) for pid, when in last_enquiry_closed(every).items()))
    found = {}
    for p in people:
        if p.pk in in_care:
            found[p.pk] = None
            continue
        kinds = set()
        if p.pk in with_decisions:
            kinds.add("sharing_decisions")
        if p.pk in with_disclosures:
            kinds.add("disclosures")
        found[p.pk] = due.Facts(
            born=p.date_of_birth,
            last_contact=last.get(p.pk) or _day(p.created_at),
            died=None,  # not recorded yet: add here when the person's record holds it
            last_enquiry_closed=closed.get(p.pk),
            kinds=frozenset(kinds),
        )
    return found
