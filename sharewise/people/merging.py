"""Finding and merging records of one person recorded twice.

The matching itself is sharewise.people.duplicates (plain data); here are the few
queries around it and the merge and its undo, each written to the audit trail in the
same transaction. Views and API endpoints both call these."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.people import duplicates
from sharewise.people import nhs_number as nhs
from sharewise.people.models import Person, PersonMerge

MIN_REASON_LENGTH = 10
DETAIL_FIELDS = (
    "id",
    "given_name",
    "family_name",
    "date_of_birth",
    "preferred_name",
    "nhs_number",
)


def details_of(person: Person) -> duplicates.Details:
    return duplicates.Details(
        id=person.pk,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        preferred_name=person.preferred_name,
        nhs_number=person.nhs_number,
    )


def possible_duplicates(organisation_id: int, person: Person) -> list[duplicates.Match]:
    """Likely duplicates of person (saved or not) in their organisation. Only people
    with the same date of birth or NHS number are fetched, by a query each so each
    uses its index: a handful of rows, however large the organisation."""
    # No ordering: the default one would lead the planner to the name index.
    live = Person.objects.filter(merged_into__isnull=True).exclude(pk=person.pk).order_by()
    rows = list(
        live.filter(
            organisation_id=organisation_id, date_of_birth=person.date_of_birth
        ).values_list(*DETAIL_FIELDS)
    )
    if number := nhs.normalise(person.nhs_number or ""):
        # By NHS number alone, so its index is used: at most one per organisation.
        rows += [
            row[1:]
            for row in live.filter(nhs_number=number).values_list("organisation_id", *DETAIL_FIELDS)
            if row[0] == organisation_id
        ]
    others = {row[0]: duplicates.Details(*row) for row in rows}
    return duplicates.find(details_of(person), others.values())


def split_by_scope(user, matches: list[duplicates.Match]):
    """(matches this user may see, whether any were left out). Never name the rest."""
    ids = {m.id for m in matches}
    visible = set(Person.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [m for m in matches if m.id in visible], len(visible) < len(ids)


def pairs_in(organisation_id: int) -> list[tuple[int, int, duplicates.Match]]:
    """Every likely duplicate pair in an organisation, most likely first: people are
    compared only with others born the same day."""
    days = (
        Person.objects.filter(organisation_id=organisation_id, merged_into__isnull=True)
        .order_by()
        .values("date_of_birth")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values("date_of_birth")
    )
    by_day = defaultdict(list)
    for row in (
        Person.objects.filter(
            organisation_id=organisation_id, merged_into__isnull=True, date_of_birth__in=days
        )
        .order_by()
        .values_list(*DETAIL_FIELDS)
    ):
        by_day[row[3]].append(duplicates.Details(*row))
    found = []
    for people in by_day.values():
        for a, b in combinations(sorted(people, key=lambda p: p.id), 2):
            if (match := duplicates.compare(a, b)) is not None:
                found.append((a.id, b.id, match))
    return sorted(found, key=lambda f: (-f[2].score, f[0], f[1]))


def pairs_shown(request, organisation_id: int, pairs, page_number: int, *, via="page"):
    """(person, person, match) for a page of pairs_in(), those the user may see, with
    the showing written to the trail."""
    ids = {i for a, b, _ in pairs for i in (a, b)}
    people = Person.objects.visible_to(request.user).in_bulk(ids)
    detail = {"page": page_number, "shown": sorted(ids)}
    trail.record_request(
        request,
        "listed possible duplicates",
        object_type="person list",
        organisation_id=organisation_id,
        detail=detail | ({"via": via} if via != "page" else {}),
    )
    return [(people[a], people[b], match) for a, b, match in pairs if a in people and b in people]


def merge_problems(keep: Person, merge: Person) -> dict[str, list[str]]:
    """Why these two records cannot be merged, by field; empty when they can."""
    problems = defaultdict(list)
    if keep.pk == merge.pk:
        problems["merge_id"].append("Choose two different records")
        return problems
    if keep.organisation_id != merge.organisation_id:
        problems["merge_id"].append("Both records must belong to the same organisation")
    if keep.merged_into_id:
        problems["keep_id"].append("This record is already merged into another: keep that one")
    if merge.merged_into_id:
        problems["merge_id"].append("This record is already merged into another")
    elif merge.merged_records.exists():
        problems["merge_id"].append(
            "Other records are merged into this one: keep this record instead"
        )
    if keep.nhs_number and merge.nhs_number and keep.nhs_number != merge.nhs_number:
        problems["merge_id"].append(
            "These records have different NHS numbers, so they are different people"
        )
    return dict(problems)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            {"reason": ["Give a reason of at least 10 characters: say how you know"]}
        )
    return reason


def _trail_both(request, action, merge: PersonMerge, reason, detail):
    for person_id in (merge.kept_id, merge.merged_id):
        trail.record_request(
            request,
            action,
            object_type="person merge",
            object_id=merge.pk,
            person_id=person_id,
            organisation_id=merge.organisation_id,
            reason=reason,
            detail=detail,
        )


@transaction.atomic
def merge_records(request, *, keep: Person, merge: Person, reason: str) -> PersonMerge:
    """Merge one record into another. Raises ValidationError (by field) when they
    cannot be merged."""
    reason = _reason(reason)
    # Lock both rows so two leads cannot merge crosswise at the same moment.
    locked = {
        p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[keep.pk, merge.pk])
    }
    keep, merge = locked[keep.pk], locked[merge.pk]
    if problems := merge_problems(keep, merge):
        raise ValidationError(problems)
    record = PersonMerge.objects.create(
        organisation_id=keep.organisation_id,
        kept=keep,
        merged=merge,
        merged_by=request.user,
        reason=reason,
    )
    merge.merged_into = keep
    merge.save(update_fields=["merged_into"])
    _trail_both(
        request,
        "merged records",
        record,
        reason,
        {"kept": keep.pk, "merged": merge.pk},
    )
    return record


@transaction.atomic
def undo(request, record: PersonMerge, reason: str = "") -> PersonMerge:
    """Separate the records again, exactly as they were before the merge."""
    record = PersonMerge.objects.select_for_update().get(pk=record.pk)
    if record.undone_at is not None:
        raise ValidationError({"merge_id": ["This merge has already been undone"]})
    merged = Person.objects.select_for_update().get(pk=record.merged_id)
    merged.merged_into = None
    merged.save(update_fields=["merged_into"])
    record.undone_by = request.user
    record.undone_at = timezone.now()
    record.undo_reason = (reason or "").strip()
    record.save(update_fields=["undone_by", "undone_at", "undo_reason"])
    _trail_both(
        request,
        "undid merge of records",
        record,
        record.undo_reason,
        {"kept": record.kept_id, "merged": record.merged_id},
    )
    return record


def trail_shown(request, person_ids, organisation_id, *, about=None, via="page"):
    """Write that these people were shown as possible duplicates (of about, if saved)."""
    trail.record_reads(
        request,
        "shown as possible duplicate",
        list(person_ids),
        organisation_id=organisation_id,
        detail={"via": via, **({"of": about} if about else {})},
    )
