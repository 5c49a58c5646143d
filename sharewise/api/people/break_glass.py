"""Break-glass: opening a record outside one's teams with a reason, and the review of
each opening by someone else."""

from datetime import datetime
from enum import StrEnum

from ninja import Field, Query, Router, Schema, Status

from sharewise.api.inputs import Day, Input
from sharewise.api.people.filters import FROM_DAY, TO_DAY
from sharewise.days import on_days
from sharewise.people import changes
from sharewise.people.access import break_glass_visible_to, get_break_glass_for
from sharewise.people.models import BreakGlassAccess

router = Router(tags=["People"])


class BreakGlassIn(Input):
    reason: str = Field(description="Why you need this record now (at least 10 characters)")


class BreakGlassOut(Schema):
    id: int
    person_id: int
    granted_at: datetime


@router.post(
    "/people/{person_id}/break-glass",
    response={201: BreakGlassOut},
    summary="Open a record outside your teams for this session, giving a reason (care "
    "workers and team managers); logged and reviewed by someone else",
)
def break_glass(request, person_id: int, payload: BreakGlassIn):
    grant = changes.grant_break_glass(request, person_id, payload.reason)
    # The opening lasts for this session: its cookie goes back with the answer.
    request.session.modified = True
    return Status(
        201, BreakGlassOut(id=grant.pk, person_id=grant.person_id, granted_at=grant.granted_at)
    )


class BreakGlassAccessOut(Schema):
    id: int
    person_id: int
    person_name: str
    opened_by: str
    reason: str
    granted_at: datetime
    reviewed: bool
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str


def _access_out(grant: BreakGlassAccess) -> BreakGlassAccessOut:
    return BreakGlassAccessOut(
        id=grant.pk,
        person_id=grant.person_id,
        person_name=grant.person.name,
        opened_by=grant.user.username,
        reason=grant.reason,
        granted_at=grant.granted_at,
        reviewed=grant.is_reviewed,
        reviewed_by=grant.reviewed_by.username if grant.reviewed_by else None,
        reviewed_at=grant.reviewed_at,
        review_note=grant.review_note,
    )


class BreakGlassReviewStatus(StrEnum):
    not_reviewed = "not-reviewed"
    reviewed = "reviewed"


@router.get(
    "/break-glass",
    response=list[BreakGlassAccessOut],
    summary="Break-glass openings to review, newest first (leads, data protection officers)",
    description="Filters: person_id, status (not-reviewed or reviewed; both when not "
    "given), from and to (YYYY-MM-DD, the days opened, the last one included).",
)
def list_break_glass(
    request,
    person_id: int | None = None,
    status: BreakGlassReviewStatus | None = None,
    since: Day | None = FROM_DAY,
    until: Day | None = TO_DAY,
    page: int = Query(1, ge=1),
    page_size: int = Query(100, ge=1, le=500),
):
    found = break_glass_visible_to(request.user)
    if person_id is not None:
        found = found.filter(person_id=person_id)
    if status is not None:
        found = found.filter(reviewed_at__isnull=status == BreakGlassReviewStatus.not_reviewed)
    found = on_days(found, "granted_at", since, until)
    start = (page - 1) * page_size
    return [_access_out(g) for g in found[start : start + page_size]]


class BreakGlassReviewIn(Input):
    note: str = Field("", description="For example: appropriate, covering a shift")


@router.post(
    "/break-glass/{grant_id}/review",
    response=BreakGlassAccessOut,
    summary="Mark someone else's break-glass opening reviewed (leads, data protection officers)",
)
def review_break_glass(request, grant_id: int, payload: BreakGlassReviewIn):
    grant = get_break_glass_for(request.user, grant_id)
    return _access_out(changes.review_break_glass(request, grant, payload.note))
