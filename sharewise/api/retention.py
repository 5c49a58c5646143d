"""Retention: the data protection officer's review list, legal holds and destructions
with their certificates. The same permissions and changes as the pages: the retention
app's access module fetches, its operations module writes; these handlers translate."""

from datetime import date, datetime

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from sharewise.api.inputs import Input
from sharewise.organisations import stepup
from sharewise.people.access import get_person_for
from sharewise.retention import access, certificates, operations
from sharewise.retention.models import Destruction, LegalHold

router = Router(tags=["Retention and destruction"])


class RetentionRuleOut(Schema):
    kind: str
    label: str
    due: date
    why: str


class RetentionRowOut(Schema):
    person_id: int
    name: str
    due: date
    rules: list[RetentionRuleOut]
    legal_hold_id: int | None
    waiting_destruction_id: int | None


class RetentionReviewOut(Schema):
    on: date
    policy_version: int
    due: list[RetentionRowOut]
    held: list[RetentionRowOut]
    not_yet: int


class LegalHoldIn(Input):
    reason: str = Field(
        description="Why the records must be kept, e.g. a Safeguarding Adults Review"
    )


class LiftLegalHoldIn(Input):
    reason: str


class LegalHoldOut(Schema):
    id: int
    person_id: int
    reason: str
    placed_by_id: int
    placed_at: datetime
    lifted_by_id: int | None
    lifted_at: datetime | None
    lift_reason: str


class ProposeDestructionIn(Input):
    person_ids: list[int] = Field(description="People from the review list, each due and not held")


class ApproveDestructionIn(Input):
    note: str = Field(description="What the officer checked before approving")


class DestructionOut(Schema):
    id: int
    status: str
    person_ids: list[int]
    proposed_by_id: int
    proposed_at: datetime
    approved_by_id: int | None
    approved_at: datetime | None
    approval_note: str
    carried_out_at: datetime | None
    policy_version: int
    dues: dict
    counts: dict[str, int]
    certificate_sha256: str
    certificate_url: str | None


def _row(r) -> RetentionRowOut:
    return RetentionRowOut(
        person_id=r.person.pk,
        name=r.person.name,
        due=r.on,
        rules=[RetentionRuleOut(kind=d.code, label=d.label, due=d.on, why=d.why) for d in r.dues],
        legal_hold_id=r.hold.pk if r.hold else None,
        waiting_destruction_id=r.proposed.pk if r.proposed else None,
    )


def _hold(h: LegalHold) -> LegalHoldOut:
    return LegalHoldOut(
        id=h.pk,
        person_id=h.person_id,
        reason=h.reason,
        placed_by_id=h.placed_by_id,
        placed_at=h.placed_at,
        lifted_by_id=h.lifted_by_id,
        lifted_at=h.lifted_at,
        lift_reason=h.lift_reason,
    )


def _destruction(d: Destruction) -> DestructionOut:
    done = d.status == Destruction.Status.DONE
    return DestructionOut(
        id=d.pk,
        status=d.status,
        person_ids=sorted(p.pk for p in d.people.all()),
        proposed_by_id=d.proposed_by_id,
        proposed_at=d.proposed_at,
        approved_by_id=d.approved_by_id,
        approved_at=d.approved_at,
        approval_note=d.approval_note,
        carried_out_at=d.carried_out_at,
        policy_version=d.policy_version.version,
        dues=d.dues,
        counts=d.counts,
        certificate_sha256=d.certificate_sha256,
        certificate_url=f"/api/v1/destructions/{d.pk}/certificate" if done else None,
    )


@router.get(
    "/retention/review",
    response=RetentionReviewOut,
    summary="The data protection officer's review list: who is due for destruction, who is held",
)
def get_review(request):
    found = access.review_for(request, via="api")
    return RetentionReviewOut(
        on=found.on,
        policy_version=found.policy_version.version,
        due=[_row(r) for r in found.due],
        held=[_row(r) for r in found.held],
        not_yet=found.not_yet,
    )


@router.get("/legal-holds", response=list[LegalHoldOut], summary="Legal holds, newest first")
def list_holds(request, in_place: bool = True):
    holds = access.holds_visible_to(request.user)
    if in_place:
        holds = holds.filter(lifted_at__isnull=True)
    return [_hold(h) for h in holds[:500]]


@router.post(
    "/people/{person_id}/legal-holds",
    response={201: LegalHoldOut},
    summary="Place a legal hold: nothing about the person is destroyed while it is in place",
)
def place_hold(request, person_id: int, payload: LegalHoldIn):
    operations.check_may_hold(request.user)
    person = get_person_for(request, person_id, action="viewed legal holds", via="api")
    return Status(201, _hold(operations.place_hold(request, person, payload.reason, via="api")))


@router.post("/legal-holds/{hold_id}/lift", response=LegalHoldOut, summary="Lift a legal hold")
def lift_hold(request, hold_id: int, payload: LiftLegalHoldIn):
    hold = access.get_hold_for(request, hold_id)
    return _hold(operations.lift_hold(request, hold, payload.reason, via="api"))


@router.post(
    "/destructions",
    response={201: DestructionOut},
    summary="Propose destroying people's records (each due and not held)",
)
def propose(request, payload: ProposeDestructionIn):
    destruction = operations.propose(request, payload.person_ids, via="api")
    return Status(201, _destruction(destruction))


@router.get("/destructions/{destruction_id}", response=DestructionOut, summary="One destruction")
def get_destruction(request, destruction_id: int):
    return _destruction(access.get_destruction_for(request, destruction_id, via="api"))


@router.post(
    "/destructions/{destruction_id}/approve",
    response=DestructionOut,
    summary="The data protection officer approves, and the records are destroyed",
)
def approve(request, destruction_id: int, payload: ApproveDestructionIn):
    destruction = access.get_destruction_for(request, destruction_id, via="api")
    operations.check_may_approve(request.user)
    stepup.require_for_api(request, "approve a destruction")
    return _destruction(operations.approve(request, destruction, payload.note, via="api"))


@router.get(
    "/destructions/{destruction_id}/certificate",
    summary="The destruction certificate (PDF), once carried out",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The certificate, as an attachment",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def certificate(request, destruction_id: int):
    destruction = access.get_destruction_for(request, destruction_id, via="api")
    response = HttpResponse(certificates.pdf_of(destruction), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="destruction-certificate-{destruction.pk}.pdf"'
    )
    return response
