"""Assignments, Your training and policy read receipts: the same permissions and
checks as the pages (training.access fetches; training.assignments and
training.receipts write)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Query, Schema, Status

from sharewise.api.inputs import Input
from sharewise.api.training.common import router
from sharewise.organisations.models import staff_name
from sharewise.training import access, assignments, receipts
from sharewise.training.models import Assignment, Receipt
from sharewise.training.yours import NO_CASE_ROLE, mine

PAGE_SIZE = 200


class AssignmentIn(Input):
    what: str = Field(description="case or policy")
    case_code: str = Field("", description="The practice case's code, for a case")
    policy_kind: str = Field(
        "", description="information_sharing, sharing or recording, for a policy to read"
    )
    roles: list[str] = Field([], description="Role codes it goes to")
    team_ids: list[int] = Field([], description="Teams it goes to")
    staff_ids: list[int] = Field([], description="Named staff it goes to")
    due: date
    note: str = ""
    source: str = Field("lead", description="lead, lesson or action")
    source_id: int | None = Field(None, description="The lesson or action it comes from")


class AssignmentOut(Schema):
    id: int
    what: str
    title: str
    case_code: str
    policy_kind: str
    roles: list[str]
    team_ids: list[int]
    staff_ids: list[int]
    given_to: str
    due: date
    note: str
    source: str
    source_id: int | None
    created_by: str
    created_at: datetime
    reached: int
    done: int
    overdue: int
    withdrawn_at: datetime | None
    withdrawn_reason: str


class AssignedOut(Schema):
    staff_id: int
    staff: str
    added_at: datetime
    completed_at: datetime | None
    attempt_id: int | None
    score: int | None
    receipt_id: int | None
    version_confirmed: int | None


class AssignmentDetailOut(AssignmentOut):
    assigned: list[AssignedOut]


def _out(a: Assignment, cls=AssignmentOut, **more):
    rows = list(a.assigned.values_list("completed_at", flat=True))
    done = sum(1 for r in rows if r)
    late = not a.withdrawn_at and a.due < timezone.localdate()
    overdue = len(rows) - done if late else 0
    return cls(
        id=a.pk,
        what=a.what,
        title=assignments.title(a),
        case_code=a.case_code,
        policy_kind=a.policy_kind,
        roles=a.roles,
        team_ids=[t.pk for t in a.teams.all()],
        staff_ids=[s.pk for s in a.staff.all()],
        given_to=assignments.addressed(a),
        due=a.due,
        note=a.note,
        source=a.source,
        source_id=a.source_id,
        created_by=staff_name(a.created_by),
        created_at=a.created_at,
        reached=len(rows),
        done=done,
        overdue=overdue,
        withdrawn_at=a.withdrawn_at,
        withdrawn_reason=a.withdrawn_reason,
        **more,
    )


def _detail(a: Assignment) -> AssignmentDetailOut:
    return _out(
        a,
        AssignmentDetailOut,
        assigned=[
            AssignedOut(
                staff_id=x.staff_id,
                staff=staff_name(x.staff),
                added_at=x.added_at,
                completed_at=x.completed_at,
                attempt_id=x.attempt_id,
                score=x.attempt.score if x.attempt_id else None,
                receipt_id=x.receipt_id,
                version_confirmed=x.receipt.version if x.receipt_id else None,
            )
            for x in assignments.who(a)
        ],
    )


@router.get(
    "/training/assignments",
    response=list[AssignmentOut],
    summary="Training assigned to staff, newest first (safeguarding leads)",
)
def list_assignments(request):
    shown = access.assignments_managed_by(request.user).select_related("created_by")
    return [_out(a) for a in shown.order_by("-created_at", "-id")[:PAGE_SIZE]]


@router.post(
    "/training/assignments",
    response={201: AssignmentDetailOut},
    summary="Assign a practice case or a policy to read to roles, teams or named staff "
    "(safeguarding leads)",
    description="Due today or later; it must reach at least one member of staff.",
)
def add_assignment(request, payload: AssignmentIn):
    made = assignments.make(request, **payload.dict(), via="api")
    return Status(201, _detail(made))


@router.get(
    "/training/assignments/{assignment_id}",
    response=AssignmentDetailOut,
    summary="One assignment, with who has done it (safeguarding leads)",
)
def get_assignment(request, assignment_id: int):
    return _detail(access.get_managed_assignment_for(request, assignment_id))


class WithdrawIn(Input):
    reason: str = Field(description="Why it is withdrawn")


@router.post(
    "/training/assignments/{assignment_id}/withdraw",
    response=AssignmentDetailOut,
    summary="Withdraw an assignment, saying why; nothing is deleted (safeguarding leads)",
)
def withdraw_assignment(request, assignment_id: int, payload: WithdrawIn):
    assignment = access.get_managed_assignment_for(request, assignment_id)
    return _detail(assignments.withdraw(request, assignment, payload.reason, via="api"))


class ToDoOut(Schema):
    assignment_id: int
    what: str
    title: str
    case_code: str
    policy_kind: str
    due: date
    overdue: bool
    note: str


class ToConfirmOut(Schema):
    kind: str
    title: str
    version: int
    since: int | None
    summary: list[str]


class ReceiptOut(Schema):
    id: int
    staff_id: int
    staff: str
    kind: str
    version: int
    summary: list[str]
    confirmed_at: datetime


class YourAttemptOut(Schema):
    id: int
    case_code: str
    case_title: str
    started_at: datetime
    finished_at: datetime | None
    score: int | None


class MineOut(Schema):
    to_do: list[ToDoOut]
    to_confirm: list[ToConfirmOut]
    receipts: list[ReceiptOut]
    attempts: list[YourAttemptOut]


def _receipt_out(r: Receipt) -> ReceiptOut:
    return ReceiptOut(
        id=r.pk,
        staff_id=r.staff_id,
        staff=staff_name(r.staff),
        kind=r.kind,
        version=r.version,
        summary=r.summary,
        confirmed_at=r.confirmed_at,
    )


@router.get(
    "/training/mine",
    response=MineOut,
    summary="Your training: what is assigned to you, policies to confirm, your receipts "
    "and practice attempts",
)
def my_training(request):
    if not request.user.has_perm("training.practise"):
        raise PermissionDenied(NO_CASE_ROLE)
    shown = mine(request.user)
    return MineOut(
        to_do=[
            ToDoOut(
                assignment_id=t["assigned"].assignment_id,
                what=t["assigned"].assignment.what,
                title=t["title"],
                case_code=t["assigned"].assignment.case_code,
                policy_kind=t["assigned"].assignment.policy_kind,
                due=t["assigned"].assignment.due,
                overdue=t["overdue"],
                note=t["assigned"].assignment.note,
            )
            for t in shown["todo"]
        ],
        to_confirm=[
            ToConfirmOut(
                kind=c.kind, title=c.title, version=c.version, since=c.since, summary=c.summary
            )
            for c in shown["to_confirm"]
        ],
        receipts=[_receipt_out(r["receipt"]) for r in shown["receipts"]],
        attempts=[
            YourAttemptOut(
                id=a["attempt"].pk,
                case_code=a["attempt"].case_code,
                case_title=a["attempt"].case_title,
                started_at=a["attempt"].started_at,
                finished_at=a["attempt"].finished_at,
                score=a["attempt"].score,
            )
            for a in shown["attempts"]
        ],
    )


@router.get(
    "/policy-receipts",
    response=list[ReceiptOut],
    summary="Policy read receipts: your own; your teams' for a manager, everyone's for a lead",
)
def list_receipts(
    request,
    staff_id: int | None = Query(None, description="Only this member of staff's"),
    kind: str = Query("", description="Only this policy's"),
):
    shown = access.receipts_visible_to(request.user).select_related("staff")
    if staff_id is not None:
        shown = shown.filter(staff_id=staff_id)
    if kind:
        shown = shown.filter(kind=kind)
    return [_receipt_out(r) for r in shown.order_by("-confirmed_at", "-id")[:PAGE_SIZE]]


class ReceiptIn(Input):
    kind: str = Field(description="information_sharing, sharing or recording")
    version: int = Field(description="The version in force you read")


@router.post(
    "/policy-receipts",
    response={201: ReceiptOut},
    summary="Confirm you have read what changed in the version of a policy in force",
)
def add_receipt(request, payload: ReceiptIn):
    receipt = receipts.confirm(request, payload.kind, payload.version, via="api")
    return Status(201, _receipt_out(receipt))
