"""Merging two records of one person, undoing it, and listing merges. Declared before
/people/{person_id}, so that "merge" and "merges" are not taken for a person id."""

from datetime import date, datetime
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status

from sharewise.api.inputs import Day, Input
from sharewise.api.people.filters import FROM_DAY, TO_DAY
from sharewise.days import on_days
from sharewise.organisations.access import scope_for
from sharewise.people import merging
from sharewise.people.access import get_merge_for, get_people_to_merge, merges_visible_to
from sharewise.people.models import PersonMerge

router = Router(tags=["People"])


class MergeIn(Input):
    keep_id: int
    merge_id: int
    reason: str = Field(description="How you know they are the same person")


class UndoIn(Input):
    reason: str = ""


class MergeOut(Schema):
    id: int
    kept_id: int
    merged_id: int
    merged_by: str
    merged_at: datetime
    reason: str
    undone_by: str | None
    undone_at: datetime | None
    undo_reason: str


def _merge_out(m: PersonMerge) -> MergeOut:
    return MergeOut(
        id=m.pk,
        kept_id=m.kept_id,
        merged_id=m.merged_id,
        merged_by=m.merged_by.username,
        merged_at=m.merged_at,
        reason=m.reason,
        undone_by=m.undone_by.username if m.undone_by else None,
        undone_at=m.undone_at,
        undo_reason=m.undo_reason,
    )


@router.post(
    "/people/merge",
    response={201: MergeOut},
    summary="Merge one person's record into another (safeguarding leads)",
    description="Nothing is moved or deleted: the merged record's enrolments and concerns "
    "show on the kept record and it leaves lists and searches. Undo with "
    "POST /people/merges/{merge_id}/undo.",
)
def merge_people(request, payload: MergeIn):
    keep, merge = get_people_to_merge(request, payload.keep_id, payload.merge_id, via="api")
    record = merging.merge_records(request, keep=keep, merge=merge, reason=payload.reason)
    return Status(201, _merge_out(record))


@router.post(
    "/people/merges/{merge_id}/undo",
    response=MergeOut,
    summary="Undo a merge, restoring both records (safeguarding leads)",
)
def undo_merge(request, merge_id: int, payload: UndoIn):
    record = get_merge_for(request.user, merge_id)
    return _merge_out(merging.undo(request, record, payload.reason))


class PairPerson(Schema):
    id: int
    name: str
    date_of_birth: date
    nhs_number: str


class DuplicatePairOut(Schema):
    first: PairPerson
    second: PairPerson
    score: int = Field(description="How alike, 1 to 100; 100 is the same NHS number")
    reasons: list[str]


def _pair_person(p) -> PairPerson:
    return PairPerson(id=p.pk, name=p.name, date_of_birth=p.date_of_birth, nhs_number=p.nhs_number)


@router.get(
    "/people/possible-duplicates",
    response=list[DuplicatePairOut],
    summary="Likely duplicate records across your organisation, most alike first "
    "(safeguarding leads)",
)
def list_possible_duplicates(
    request, page: int = Query(1, ge=1), page_size: int = Query(25, ge=1, le=100)
):
    if not request.user.has_perm("people.merge_person"):
        raise PermissionDenied("Only safeguarding leads can merge records.")
    organisation_id = scope_for(request.user).organisation_id
    pairs = merging.pairs_in(organisation_id)[(page - 1) * page_size : page * page_size]
    rows = merging.pairs_shown(request, organisation_id, pairs, page, via="api")
    return [
        DuplicatePairOut(
            first=_pair_person(a),
            second=_pair_person(b),
            score=match.score,
            reasons=list(match.reasons),
        )
        for a, b, match in rows
    ]


class MergeStatus(StrEnum):
    current = "current"
    undone = "undone"


@router.get(
    "/people/merges",
    response=list[MergeOut],
    summary="Merges of records, newest first (safeguarding leads)",
    description="Filters: person_id (kept or merged record), status (current or undone), "
    "from and to (YYYY-MM-DD, the days merged, the last one included).",
)
def list_merges(
    request,
    person_id: int | None = None,
    status: MergeStatus | None = None,
    since: Day | None = FROM_DAY,
    until: Day | None = TO_DAY,
    page: int = Query(1, ge=1),
    page_size: int = Query(100, ge=1, le=500),
):
    found = merges_visible_to(request.user)
    if person_id is not None:
        found = found.filter(Q(kept_id=person_id) | Q(merged_id=person_id))
    if status is not None:
        found = found.filter(undone_at__isnull=status == MergeStatus.current)
    found = on_days(found, "merged_at", since, until)
    start = (page - 1) * page_size
    return [_merge_out(m) for m in found[start : start + page_size]]
