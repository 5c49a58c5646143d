from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from ninja import Field, Query, Router, Schema

from sharewise.api.inputs import Day
from sharewise.audittrail import readers, trail
from sharewise.audittrail.searching import search_by

router = Router(tags=["Audit trail"])


class EntryOut(Schema):
    id: int
    at: datetime
    actor_id: int | None
    actor: str
    action: str
    object_type: str
    object_id: str
    person_id: int | None
    client_address: str | None
    reason: str


class TrailPage(Schema):
    count: int
    page: int
    pages: int
    results: list[EntryOut]


def _require_trail_access(user):
    if not user.has_perm("audittrail.search_trail"):
        raise PermissionDenied(
            "Only safeguarding leads and data protection officers can read the trail."
        )


PERSON = Query(None, description="Only entries about this person's record id")
USER = Query(None, description="Only entries by this member of staff, by username")
FIRST_DAY = Query(None, alias="from", description="First day, YYYY-MM-DD")
LAST_DAY = Query(None, alias="to", description="Last day (included), YYYY-MM-DD")
SINCE = Query(None, description="The first day's older name; 'from' wins when both are sent")
UNTIL = Query(None, description="The last day's older name; 'to' wins when both are sent")


@router.get(
    "/audit-trail",
    response=TrailPage,
    summary="Search the audit trail (leads, data protection officers)",
    description="Newest first, within your organisation; the search is itself written "
    "to the trail.",
)
def search_trail(
    request,
    person: int | None = PERSON,
    user: str | None = USER,
    first_day: Day | None = FIRST_DAY,
    last_day: Day | None = LAST_DAY,
    since: Day | None = SINCE,
    until: Day | None = UNTIL,
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=500),
):
    _require_trail_access(request.user)
    organisation_id = readers.organisation_of(request.user)
    since, until = first_day or since, last_day or until
    entries = search_by(
        organisation_id, person_id=person, username=user, since_day=since, until_day=until
    )
    paginator = Paginator(entries, page_size)
    current = paginator.get_page(page)
    trail.record_request(
        request,
        "searched audit trail",
        object_type="audit trail",
        organisation_id=organisation_id,
        detail={
            "person": person,
            "user": user,
            "since": str(since or ""),
            "until": str(until or ""),
            "via": "api",
        },
    )
    return TrailPage(
        count=paginator.count,
        page=current.number,
        pages=paginator.num_pages,
        results=list(current.object_list),
    )


class BreakOut(Schema):
    position: int
    entry_id: int | None
    problem: str


class TrailCheckpointOut(Schema):
    position: int
    hash: str
    at: str


class VerifyOut(Schema):
    intact: bool
    checked: int
    unsealed: int
    first_broken: BreakOut | None
    unkeyed: int = Field(description="Entries sealed before keyed sealing began")
    checkpoint: TrailCheckpointOut | None = Field(
        description="The latest checkpoint the chain was checked against"
    )
    checkpoint_problem: str | None = Field(
        description="How the trail differs from its latest checkpoint (cut short, rewritten)"
    )


@router.get(
    "/audit-trail/verify", response=VerifyOut, summary="Check the hash chain of the whole trail"
)
def verify_trail(request):
    _require_trail_access(request.user)
    result = trail.verify()
    broken = result.broken
    return VerifyOut(
        intact=result.ok,
        checked=result.checked,
        unsealed=result.unsealed,
        first_broken=BreakOut(
            position=broken.position, entry_id=broken.entry_id, problem=broken.problem
        )
        if broken
        else None,
        unkeyed=result.unkeyed,
        checkpoint=TrailCheckpointOut(
            position=result.checkpoint.position,
            hash=result.checkpoint.hash,
            at=result.checkpoint.at,
        )
        if result.checkpoint
        else None,
        checkpoint_problem=result.checkpoint_problem,
    )
