"""Subject access and rectification requests through the API: the same access rules and
operations as the pages (rights.access fetches, rights.operations changes); these
routes only check and answer."""

from datetime import date, datetime

from ninja import Field, Router, Schema, Status

from sharewise.api.inputs import Input
from sharewise.audittrail import trail
from sharewise.organisations import stepup
from sharewise.organisations.access import scope_for
from sharewise.rights import access, operations
from sharewise.rights.models import Rectification, SubjectAccessRequest

router = Router(tags=["Subject access and rectification"])


class SubjectAccessRequestIn(Input):
    requester: str = Field(description="person or representative")
    requester_name: str
    relationship: str = ""
    authority: str = Field("", description="Evidence of a representative's authority")
    contact: str = Field(description="Where to send the response")
    received_on: date
    request_text: str = ""


class SubjectAccessRequestOut(Schema):
    id: int
    person_id: int
    status: str
    status_label: str
    requester: str
    requester_name: str
    received_on: date
    deadline: date
    due: str = Field(description="on_time, due_soon (within 7 days) or overdue; '' once closed")
    identity_verified: bool
    extension_months: int
    extension_reasons: str
    prepared_at: datetime | None
    export_sha256: str = Field(description="SHA-256 of the prepared PDF")
    export_json_sha256: str = Field(description="SHA-256 of the prepared JSON (canonical form)")
    redactions: int
    dpo_approved: bool
    disclosure_id: int | None
    closed_reason: str


def _out(sar) -> SubjectAccessRequestOut:
    return SubjectAccessRequestOut(
        id=sar.pk,
        person_id=sar.person_id,
        status=sar.status,
        status_label=sar.get_status_display(),
        requester=sar.requester,
        requester_name=sar.requester_name,
        received_on=sar.received_on,
        deadline=sar.deadline,
        due=sar.due_state(),
        identity_verified=sar.identity_verified,
        extension_months=sar.extension_months,
        extension_reasons=sar.extension_reasons,
        prepared_at=sar.prepared_at,
        export_sha256=sar.export_sha256,
        export_json_sha256=sar.export_json_sha256,
        redactions=len(sar.redactions or []),
        dpo_approved=bool(sar.export_sha256) and sar.dpo_approved_sha256 == sar.export_sha256,
        disclosure_id=sar.disclosure_id,
        closed_reason=sar.closed_reason,
    )


def _fresh(sar) -> SubjectAccessRequestOut:
    return _out(SubjectAccessRequest.objects.get(pk=sar.pk))


@router.get(
    "/subject-access-requests",
    response=list[SubjectAccessRequestOut],
    summary="Subject access requests, by deadline (data protection officer, leads)",
    description="open=true for those still to answer; due tells which are overdue.",
)
def list_requests(request, open: bool | None = None):
    access.require(request.user, "rights.see_requests")
    found = access.requests_visible_to(request.user)
    if open is not None:
        statuses = SubjectAccessRequest.OPEN
        found = found.filter(status__in=statuses) if open else found.exclude(status__in=statuses)
    found = list(found[:500])
    trail.record_reads(
        request,
        "listed subject access requests",
        sorted({x.person_id for x in found}),
        organisation_id=scope_for(request.user).organisation_id,
        detail={"via": "api"},
    )
    return [_out(x) for x in found]


@router.post(
    "/people/{person_id}/subject-access-requests",
    response={201: SubjectAccessRequestOut},
    summary="Log a subject access request about a person",
)
def log_request(request, person_id: int, payload: SubjectAccessRequestIn):
    access.require(request.user, "rights.prepare")
    person = access.get_person_to_ask_about(
        request, person_id, action="opened record to log subject access request", via="api"
    )
    sar = operations.log_request(request, person, payload.dict(), via="api")
    return Status(201, _fresh(sar))


@router.get(
    "/subject-access-requests/{sar_id}", response=SubjectAccessRequestOut, summary="One request"
)
def get_request(request, sar_id: int):
    return _out(access.get_request_for(request, sar_id, via="api"))


def _for_change(request, sar_id, perm):
    access.require(request.user, perm)
    return access.get_request_for(
        request, sar_id, action="opened subject access request to change", via="api"
    )


class IdentityCheckIn(Input):
    method: str = Field(description="How their identity was verified, and with what")


@router.post(
    "/subject-access-requests/{sar_id}/identity",
    response=SubjectAccessRequestOut,
    summary="Record how who asked was verified",
)
def check_identity(request, sar_id: int, payload: IdentityCheckIn):
    sar = _for_change(request, sar_id, "rights.prepare")
    return _fresh(operations.check_identity(request, sar, payload.method, via="api"))


class SubjectAccessExtensionIn(Input):
    months: int = Field(description="1 or 2 further months (2 in all at most)")
    reasons: str
    told_on: date = Field(description="When the person was told, within the first month")


@router.post(
    "/subject-access-requests/{sar_id}/extend",
    response=SubjectAccessRequestOut,
    summary="Extend the time to answer, with the reasons (data protection officer)",
)
def extend(request, sar_id: int, payload: SubjectAccessExtensionIn):
    sar = _for_change(request, sar_id, "rights.extend")
    return _fresh(
        operations.extend(request, sar, payload.months, payload.reasons, payload.told_on, via="api")
    )


@router.post(
    "/subject-access-requests/{sar_id}/prepare",
    response=SubjectAccessRequestOut,
    summary="Prepare the response (JSON and PDF, redacted) for the officer's review",
    description="Refused (422) until who asked is verified.",
)
def prepare(request, sar_id: int):
    sar = _for_change(request, sar_id, "rights.prepare")
    return _fresh(operations.prepare(request, sar, via="api"))


class SubjectAccessApprovalIn(Input):
    note: str = ""


@router.post(
    "/subject-access-requests/{sar_id}/approve",
    response=SubjectAccessRequestOut,
    summary="Approve the prepared response exactly as it is (data protection officer)",
)
def approve(request, sar_id: int, payload: SubjectAccessApprovalIn):
    access.require(request.user, "rights.approve")
    stepup.require_for_api(request, "approve a subject access response")
    sar = _for_change(request, sar_id, "rights.approve")
    return _fresh(operations.approve(request, sar, payload.note, via="api"))


class SubjectAccessSendIn(Input):
    channel: str = Field(description="secure_email, portal, phone, letter or in_person")


@router.post(
    "/subject-access-requests/{sar_id}/send",
    response=SubjectAccessRequestOut,
    summary="Send the approved response: kept as a frozen disclosure with its SHA-256",
)
def send(request, sar_id: int, payload: SubjectAccessSendIn):
    access.require(request.user, "rights.send")
    stepup.require_for_api(request, "send a subject access response")
    sar = _for_change(request, sar_id, "rights.send")
    operations.send(request, sar, payload.channel, via="api")
    return _fresh(sar)


class SubjectAccessCloseIn(Input):
    outcome: str = Field(description="refused or withdrawn")
    reason: str


@router.post(
    "/subject-access-requests/{sar_id}/close",
    response=SubjectAccessRequestOut,
    summary="Refuse the request, or record it withdrawn, with the reason",
)
def close(request, sar_id: int, payload: SubjectAccessCloseIn):
    sar = _for_change(request, sar_id, "rights.close")
    return _fresh(operations.close(request, sar, payload.outcome, payload.reason, via="api"))


@router.get(
    "/subject-access-requests/{sar_id}/export",
    summary="The prepared response as machine-readable JSON (format "
    "sharewise-subject-access, version 1)",
    description="Exactly the bytes whose SHA-256 is export_json_sha256. 404 until prepared.",
)
def export(request, sar_id: int):
    return access.export_response(request, sar_id, "json", via="api")


class RectificationRequestIn(Input):
    requester_name: str
    received_on: date
    concern_id: int | None = Field(None, description="The concern they say is wrong")
    what_is_wrong: str


class RectificationRequestOut(Schema):
    id: int
    person_id: int
    status: str
    requester_name: str
    received_on: date
    concern_id: int | None
    what_is_wrong: str
    outcome_reason: str
    amendment_ids: list[int]


def _rectification(found) -> RectificationRequestOut:
    found = Rectification.objects.get(pk=found.pk)
    return RectificationRequestOut(
        id=found.pk,
        person_id=found.person_id,
        status=found.status,
        requester_name=found.requester_name,
        received_on=found.received_on,
        concern_id=found.concern_id,
        what_is_wrong=found.what_is_wrong,
        outcome_reason=found.outcome_reason,
        amendment_ids=sorted(found.amendments.values_list("pk", flat=True)),
    )


@router.post(
    "/people/{person_id}/rectifications",
    response={201: RectificationRequestOut},
    summary="Log a request to correct a person's record",
)
def log_rectification(request, person_id: int, payload: RectificationRequestIn):
    access.require(request.user, "rights.prepare")
    person = access.get_person_to_ask_about(
        request, person_id, action="opened record to log rectification request", via="api"
    )
    found = operations.log_rectification(request, person, payload.dict(), via="api")
    return Status(201, _rectification(found))


@router.get(
    "/rectifications/{rectification_id}",
    response=RectificationRequestOut,
    summary="One rectification",
)
def get_rectification(request, rectification_id: int):
    return _rectification(access.get_rectification_for(request, rectification_id, via="api"))


class RectificationCorrectionIn(Input):
    concern_id: int | None = Field(None, description="Defaults to the request's concern")
    changes: dict = Field(description="{answer: new value}, as for a concern's amendments")
    reason: str


@router.post(
    "/rectifications/{rectification_id}/amendments",
    response={201: RectificationRequestOut},
    summary="Correct the record by an amendment linked to the request",
)
def correct(request, rectification_id: int, payload: RectificationCorrectionIn):
    access.require(request.user, "rights.prepare")
    found = access.get_rectification_for(
        request, rectification_id, action="opened rectification request to correct", via="api"
    )
    found, _ = operations.amend_for(
        request, found, payload.concern_id, payload.changes, payload.reason, via="api"
    )
    return Status(201, _rectification(found))


class RectificationRefusalIn(Input):
    reason: str


@router.post(
    "/rectifications/{rectification_id}/refuse",
    response=RectificationRequestOut,
    summary="Refuse to correct the record, with the reasons",
)
def refuse(request, rectification_id: int, payload: RectificationRefusalIn):
    access.require(request.user, "rights.prepare")
    found = access.get_rectification_for(
        request, rectification_id, action="opened rectification request to refuse", via="api"
    )
    return _rectification(
        operations.refuse_rectification(request, found, payload.reason, via="api")
    )
