"""Audits, their findings, and case-file samples."""

from datetime import date, datetime

from django.core.paginator import Paginator
from ninja import Field, Query, Schema, Status

from sharewise.api.governance.common import (
    PAGE_SIZE,
    ActionIn,
    ActionOut,
    PeriodIn,
    action_out,
    router,
)
from sharewise.api.inputs import Day, Input
from sharewise.days import on_days
from sharewise.governance import access, operations
from sharewise.governance.models import AuditRun, Finding, Sample
from sharewise.organisations.models import staff_name

SINCE_PERIODS_ENDING_ON_OR_AFTER = Query(
    None, alias="from", description="Periods ending on or after"
)
UNTIL_PERIODS_STARTING_ON_OR_BEFORE = Query(
    None, alias="to", description="Periods starting on or before"
)
SINCE_DRAWN_ON_OR_AFTER = Query(None, alias="from", description="Drawn on or after")
UNTIL_DRAWN_ON_OR_BEFORE = Query(None, alias="to", description="Drawn on or before")

# Audits -------------------------------------------------------------------------------


class AuditOut(Schema):
    id: int
    period_from: date
    period_to: date
    status: str = Field(description="queued, running, done or failed")
    progress: int = Field(description="Percent done")
    step: str = Field(description="The criterion being checked now")
    counts: dict[str, int] = Field(description="Findings per criterion code, once done")
    error: str


def _audit_out(run: AuditRun) -> AuditOut:
    return AuditOut(
        id=run.pk,
        period_from=run.period_from,
        period_to=run.period_to,
        status=run.status,
        progress=run.progress,
        step=run.step,
        counts=run.counts,
        error=run.error,
    )


@router.get("/audits", response=list[AuditOut], summary="Audit runs, newest first")
def list_audits(
    request,
    status: str = Query("", description="queued, running, done or failed"),
    date_from: Day | None = SINCE_PERIODS_ENDING_ON_OR_AFTER,
    date_to: Day | None = UNTIL_PERIODS_STARTING_ON_OR_BEFORE,
):
    # An audit's period overlaps the days asked for: it ends on or after the first and
    # starts on or before the last.
    runs = access.audits_visible_to(request.user)
    on_days(runs, "period_to", date_from, date_to)  # refuses a 'from' after the 'to'
    runs = on_days(on_days(runs, "period_to", date_from, None), "period_from", None, date_to)
    if status:
        runs = runs.filter(status=status)
    return [_audit_out(r) for r in runs[:PAGE_SIZE]]


@router.post(
    "/audits",
    response={202: AuditOut},
    summary="Run a safeguarding audit of a period (in the background)",
)
def run_audit(request, payload: PeriodIn):
    run = operations.run_audit(request, payload.period_from, payload.period_to)
    return Status(202, _audit_out(run))


@router.get("/audits/{audit_id}", response=AuditOut, summary="An audit run's progress and counts")
def get_audit(request, audit_id: int):
    return _audit_out(access.get_audit_for(request, audit_id))


# Findings -----------------------------------------------------------------------------


class FindingOut(Schema):
    id: int
    audit_id: int
    criterion: str
    title: str
    severity: str
    summary: str
    record_type: str
    record_id: int
    person_id: int | None = Field(description="Only when the caller may see the person")
    person_name: str | None
    team_id: int | None
    owner: str | None
    status: str = Field(description="open, actioned or closed")
    repeated: bool = Field(description="Found by an earlier audit too")
    closed_note: str = Field(description="Why it was closed without an action, if it was")


def _finding_out(f: Finding, visible: set[int]) -> FindingOut:
    shown = f.person_id in visible
    return FindingOut(
        id=f.pk,
        audit_id=f.run_id,
        criterion=f.criterion,
        title=f.title,
        severity=f.severity,
        summary=f.summary,
        record_type=f.record_type,
        record_id=f.record_id,
        person_id=f.person_id if shown else None,
        person_name=f.person.name if shown else None,
        team_id=f.team_id,
        owner=staff_name(f.owner) or None,
        status=f.status,
        repeated=f.repeated,
        closed_note=f.closed_note,
    )


class FindingsOut(Schema):
    audit: AuditOut
    count: int
    page: int
    pages: int
    findings: list[FindingOut]


@router.get(
    "/audits/{audit_id}/findings",
    response=FindingsOut,
    summary="What an audit found, each linked to its record, with severity and owner",
)
def audit_findings(request, audit_id: int, criterion: str = "", status: str = "", page: int = 1):
    run = access.get_audit_for(request, audit_id)
    found = run.findings.select_related("owner", "person")
    if criterion:
        found = found.filter(criterion=criterion)
    if status:
        found = found.filter(status=status)
    pages = Paginator(found.order_by("criterion", "id"), PAGE_SIZE)
    shown = pages.get_page(page)
    visible = access.record_findings_read(request, run, shown.object_list, via="api")
    return FindingsOut(
        audit=_audit_out(run),
        count=pages.count,
        page=shown.number,
        pages=pages.num_pages,
        findings=[_finding_out(f, visible) for f in shown.object_list],
    )


@router.get("/findings/{finding_id}", response=FindingOut, summary="One audit finding")
def get_finding(request, finding_id: int):
    finding = access.get_finding_for(request, finding_id, via="api")
    return _finding_out(finding, {finding.person_id} if finding.shows_person else set())


@router.post(
    "/findings/{finding_id}/actions",
    response={201: ActionOut},
    summary="Agree an action on an audit finding, with an owner and a due date",
)
def add_finding_action(request, finding_id: int, payload: ActionIn):
    finding = access.get_finding_for(request, finding_id, via="api")
    owner = operations.staff_member(finding.organisation_id, payload.owner_id, "owner_id")
    action = operations.agree_finding_action(
        request, finding, payload.description, owner, payload.due
    )
    return Status(201, action_out(action))


class FindingCloseIn(Input):
    reason: str = Field(
        description="Why no action is needed (already put right, with how; or why this is "
        "not a failure), in at least 5 words"
    )


@router.post(
    "/findings/{finding_id}/close",
    response=FindingOut,
    summary="Close a finding that needs no action, saying why",
)
def close_finding(request, finding_id: int, payload: FindingCloseIn):
    finding = access.get_finding_for(request, finding_id, via="api")
    finding = operations.close_finding(request, finding, payload.reason)
    return _finding_out(finding, {finding.person_id} if finding.shows_person else set())


# Case-file samples --------------------------------------------------------------------


class SampleIn(PeriodIn):
    kind: str = Field(description="concerns or decisions")
    size: int = Field(description="How many records, up to the policy's largest sample")
    seed: int | None = Field(None, description="Draw the same sample again from this seed")


class SampleItemOut(Schema):
    id: int
    record_type: str = Field(description="concern or sharing_decision")
    record_id: int
    person_id: int | None
    answers: dict[str, str] = Field(description="Checklist answers by question code")
    notes: str
    checked_by: str | None
    checked_at: datetime | None


class SampleOut(Schema):
    id: int
    kind: str
    period_from: date
    period_to: date
    size: int
    seed: int
    drawn_by: str
    drawn_at: datetime
    items: list[SampleItemOut]


def _item_out(item, kind: str) -> SampleItemOut:
    return SampleItemOut(
        id=item.pk,
        record_type="concern" if kind == Sample.Kind.CONCERNS else "sharing_decision",
        record_id=item.record_id,
        person_id=item.person_id,
        answers=item.answers,
        notes=item.notes,
        checked_by=staff_name(item.checked_by) or None,
        checked_at=item.checked_at,
    )


def _sample_out(sample: Sample) -> SampleOut:
    return SampleOut(
        id=sample.pk,
        kind=sample.kind,
        period_from=sample.period_from,
        period_to=sample.period_to,
        size=sample.size,
        seed=sample.seed,
        drawn_by=staff_name(sample.drawn_by),
        drawn_at=sample.drawn_at,
        items=[_item_out(i, sample.kind) for i in sample.items.select_related("checked_by")],
    )


@router.get(
    "/samples", response=list[SampleOut], summary="Case-file samples you may open, newest first"
)
def list_samples(
    request,
    kind: str = Query("", description="concerns or decisions"),
    date_from: Day | None = SINCE_DRAWN_ON_OR_AFTER,
    date_to: Day | None = UNTIL_DRAWN_ON_OR_BEFORE,
):
    samples = on_days(access.samples_visible_to(request.user), "drawn_at", date_from, date_to)
    if kind:
        samples = samples.filter(kind=kind)
    return [_sample_out(s) for s in samples[:PAGE_SIZE]]


@router.post(
    "/samples",
    response={201: SampleOut},
    summary="Draw a random sample of a period's concerns or sharing decisions to audit",
)
def draw_sample(request, payload: SampleIn):
    sample = operations.draw_sample(
        request, payload.kind, payload.period_from, payload.period_to, payload.size, payload.seed
    )
    return Status(201, _sample_out(sample))


@router.get(
    "/samples/{sample_id}", response=SampleOut, summary="A case-file sample and its records"
)
def get_sample(request, sample_id: int):
    return _sample_out(access.get_sample_for(request, sample_id))


@router.get(
    "/sample-items/{item_id}",
    response=SampleItemOut,
    summary="One sampled record and its checklist answers (the read is written to the trail)",
)
def get_sample_item(request, item_id: int):
    item = access.get_sample_item_for(request, item_id, via="api")
    return _item_out(item, item.sample.kind)


class ChecklistIn(Input):
    answers: dict[str, str] = Field(
        description="yes, partly or no for every question of the sample's checklist, by code"
    )
    notes: str = Field("", description="What was missing: needed for any partly or no")


@router.post(
    "/sample-items/{item_id}/review",
    response=SampleItemOut,
    summary="Record the checklist review of one sampled record",
)
def review_sample_item(request, item_id: int, payload: ChecklistIn):
    item = access.get_sample_item_for(request, item_id, via="api")
    item = operations.record_check(request, item, payload.answers, payload.notes)
    return _item_out(item, item.sample.kind)
