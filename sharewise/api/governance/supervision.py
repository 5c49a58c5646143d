"""Supervision sessions: recording one, and reading them back."""

from datetime import date, datetime

from django.http import Http404
from ninja import Field, Query, Schema, Status

from sharewise.api.governance.common import PAGE_SIZE, router
from sharewise.api.inputs import Day, Input
from sharewise.days import on_days
from sharewise.governance import access, operations
from sharewise.organisations.models import staff_name

SINCE_HELD_ON_OR_AFTER = Query(None, alias="from", description="Held on or after")
UNTIL_HELD_ON_OR_BEFORE = Query(None, alias="to", description="Held on or before")


class SupervisionIn(Input):
    staff_id: int
    items: list[str] = Field(
        [], description='Keys of the staff member\'s recent work discussed, e.g. "concern:12"'
    )
    responses: dict[str, str] = Field(
        description="Answers to the policy's challenge prompts, keyed by the prompt's "
        "position from 0"
    )
    reflection: str
    learning: str
    next_due: date | None = Field(None, description="Default: the policy's interval")


class SupervisionOut(Schema):
    id: int
    staff_id: int
    staff: str
    supervisor: str
    held_at: datetime
    items: list[dict] = Field(
        description="What was discussed; a record about someone you may not see now keeps "
        "its place but not its words"
    )
    prompts: list[dict]
    reflection: str
    learning: str
    next_due: date


def _session_out(session) -> SupervisionOut:
    """A session; as read back, what was discussed as the caller may see it."""
    items = getattr(session, "shown_items", session.items)
    return SupervisionOut(
        id=session.pk,
        staff_id=session.staff_id,
        staff=staff_name(session.staff),
        supervisor=staff_name(session.supervisor),
        held_at=session.held_at,
        items=items,
        prompts=session.prompts,
        reflection=session.reflection,
        learning=session.learning,
        next_due=session.next_due,
    )


@router.get(
    "/supervisions",
    response=list[SupervisionOut],
    summary="Supervision sessions you may read: your own, those you held, any for a lead",
)
def list_supervisions(
    request,
    staff_id: int | None = Query(None, description="Only this member of staff's"),
    date_from: Day | None = SINCE_HELD_ON_OR_AFTER,
    date_to: Day | None = UNTIL_HELD_ON_OR_BEFORE,
):
    shown = on_days(access.sessions_visible_to(request.user), "held_at", date_from, date_to)
    if staff_id is not None:
        shown = shown.filter(staff_id=staff_id)
    return [_session_out(s) for s in access.as_seen(request.user, shown[:PAGE_SIZE])]


@router.get(
    "/supervisions/{session_id}",
    response=SupervisionOut,
    summary="One supervision session (the read of anyone it discussed is written to the trail)",
)
def get_supervision(request, session_id: int):
    return _session_out(access.get_supervision_for(request, session_id, via="api"))


@router.post(
    "/supervisions",
    response={201: SupervisionOut},
    summary="Record a supervision session with a member of staff",
)
def record_supervision(request, payload: SupervisionIn):
    staff = access.get_supervisee_for(request, payload.staff_id)
    session = operations.record_supervision(request, staff, payload.dict())
    return Status(201, _session_out(session))


class PracticeResultOut(Schema):
    id: int
    case: str
    case_code: str
    score: int | None
    at: datetime
    points: list[str] = Field(description="The main feedback points, what went wrong first")
    url: str = Field(description="The attempt's page, where there is one")


class SuperviseeReceiptOut(Schema):
    kind: str
    label: str
    version: int
    at: datetime | None = None


class TrainingDueOut(Schema):
    id: int
    what: str
    due: date
    overdue: bool


class SuperviseeTrainingOut(Schema):
    staff_id: int
    staff: str
    attempts: list[PracticeResultOut]
    confirmed: list[SuperviseeReceiptOut] = Field(
        description="Policy versions they confirmed reading"
    )
    not_confirmed: list[SuperviseeReceiptOut] = Field(description="Versions in force they have not")
    assignments: list[TrainingDueOut] = Field(description="Training assigned and not done")


@router.get(
    "/supervisions/staff/{user_id}/training",
    response=SuperviseeTrainingOut,
    summary="Before a session: a supervisee's practice results, read receipts and "
    "training still to do",
)
def get_supervisee_training(request, user_id: int):
    staff = access.get_supervisee_for(request, user_id)
    training = access.supervisee_training_for(request, staff)
    if training is None:
        raise Http404("No such member of staff")
    return SuperviseeTrainingOut(
        staff_id=staff.pk,
        staff=staff_name(staff),
        attempts=training["attempts"],
        confirmed=training["confirmed"],
        not_confirmed=training["not_confirmed"],
        assignments=training["assignments"],
    )
