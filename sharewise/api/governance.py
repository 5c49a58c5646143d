"""Audits and findings, actions, oversight meetings and their agendas, supervision,
the learning log and evidence packs. The same permissions and changes as the pages
(sharewise.governance does the work; these handlers only fetch and answer)."""

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from sharewise.api.inputs import Input
from sharewise.audittrail import trail
from sharewise.governance import actions as actionlib
from sharewise.governance import audits, evidence, jobs, learning, measures, meetings
from sharewise.governance import supervision as supervisionlib
from sharewise.governance.models import AuditRun, EvidencePack, Finding, Job, Lesson, Meeting
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import staff_name
from sharewise.people.models import Person
from sharewise.security import throttle

router = Router(tags=["Audits, oversight and learning"])

PAGE_SIZE = 100


def _org(user, perm: str, message: str) -> int:
    if not user.has_perm(perm):
        raise PermissionDenied(message)
    return scope_for(user).organisation_id


def _staff(organisation_id: int, user_id: int, field: str):
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not actionlib.staff_of(organisation_id, user.pk):
        from django.core.exceptions import ValidationError

        raise ValidationError({field: "Choose a member of your organisation's staff"})
    return user


# Audits ------------------------------------------------------------------------------


class PeriodIn(Input):
    period_from: date
    period_to: date


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


@router.post(
    "/audits",
    response={202: AuditOut},
    summary="Run a safeguarding audit of a period (in the background)",
)
def run_audit(request, payload: PeriodIn):
    org = _org(
        request.user, "governance.run_audit", "Only auditors and safeguarding leads run audits."
    )
    run = audits.start(request, org, payload.period_from, payload.period_to)
    return Status(202, _audit_out(run))


def _run_for(request, audit_id) -> AuditRun:
    org = _org(request.user, "governance.see_findings", "Your role does not see audit findings.")
    jobs.give_up_stopped(org)
    run = AuditRun.objects.filter(organisation_id=org, pk=audit_id).first()
    if run is None:
        raise Http404
    return run


@router.get("/audits/{audit_id}", response=AuditOut, summary="An audit run's progress and counts")
def get_audit(request, audit_id: int):
    return _audit_out(_run_for(request, audit_id))


class FindingOut(Schema):
    id: int
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
    status: str
    repeated: bool = Field(description="Found by an earlier audit too")
    closed_note: str = Field(description="Why it was closed without an action, if it was")


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
    run = _run_for(request, audit_id)
    found = run.findings.select_related("owner", "person")
    if criterion:
        found = found.filter(criterion=criterion)
    if status:
        found = found.filter(status=status)
    pages = Paginator(found.order_by("criterion", "id"), PAGE_SIZE)
    shown = pages.get_page(page)
    ids = {f.person_id for f in shown.object_list if f.person_id}
    visible = set(
        Person.objects.visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    trail.record_reads(
        request,
        "viewed audit findings",
        sorted(visible),
        organisation_id=run.organisation_id,
        object_type="audit",
        object_id=run.pk,
        detail={"via": "api"},
    )
    return FindingsOut(
        audit=_audit_out(run),
        count=pages.count,
        page=shown.number,
        pages=pages.num_pages,
        findings=[
            FindingOut(
                id=f.pk,
                criterion=f.criterion,
                title=f.title,
                severity=f.severity,
                summary=f.summary,
                record_type=f.record_type,
                record_id=f.record_id,
                person_id=f.person_id if f.person_id in visible else None,
                person_name=f.person.name if f.person_id in visible else None,
                team_id=f.team_id,
                owner=staff_name(f.owner) or None,
                status=f.status,
                repeated=f.repeated,
                closed_note=f.closed_note,
            )
            for f in shown.object_list
        ],
    )


# Actions -----------------------------------------------------------------------------


class ActionIn(Input):
    description: str = Field(description="What will be done")
    owner_id: int = Field(description="The member of staff who will do it")
    due: date


class ActionOut(Schema):
    id: int
    description: str
    owner_id: int
    owner: str
    due: date
    finding_id: int | None
    lesson_id: int | None
    meeting_id: int | None
    done_at: datetime | None
    done_note: str


def _action_out(a) -> ActionOut:
    return ActionOut(
        id=a.pk,
        description=a.description,
        owner_id=a.owner_id,
        owner=staff_name(a.owner),
        due=a.due,
        finding_id=a.finding_id,
        lesson_id=a.lesson_id,
        meeting_id=a.minute.meeting_id if a.minute_id else None,
        done_at=a.done_at,
        done_note=a.done_note,
    )


@router.post(
    "/findings/{finding_id}/actions",
    response={201: ActionOut},
    summary="Agree an action on an audit finding, with an owner and a due date",
)
def add_finding_action(request, finding_id: int, payload: ActionIn):
    org = _org(request.user, "governance.see_findings", "Your role does not see audit findings.")
    finding = Finding.objects.filter(organisation_id=org, pk=finding_id).first()
    if finding is None:
        raise Http404
    owner = _staff(org, payload.owner_id, "owner_id")
    action = actionlib.add(request, org, payload.description, owner, payload.due, finding=finding)
    return Status(201, _action_out(action))


# Meetings ----------------------------------------------------------------------------


class MeetingIn(Input):
    held_at: datetime
    service_id: int | None = Field(None, description="Blank for the whole organisation")


class MeetingOut(Schema):
    id: int
    held_at: datetime
    period_from: date
    service_id: int | None
    service: str
    chair: str
    signed_off: bool


def _meeting_out(m: Meeting) -> MeetingOut:
    return MeetingOut(
        id=m.pk,
        held_at=m.held_at,
        period_from=m.period_from,
        service_id=m.service_id,
        service=m.service.name if m.service_id else "Whole organisation",
        chair=staff_name(m.chair),
        signed_off=m.closed_at is not None,
    )


MEETINGS_ONLY = "Only safeguarding leads hold oversight meetings."


@router.get("/meetings", response=list[MeetingOut], summary="Oversight meetings, newest first")
def list_meetings(request):
    org = _org(request.user, "governance.hold_meetings", MEETINGS_ONLY)
    return [
        _meeting_out(m)
        for m in Meeting.objects.filter(organisation_id=org).select_related("service", "chair")[
            :PAGE_SIZE
        ]
    ]


@router.post("/meetings", response={201: MeetingOut}, summary="Schedule an oversight meeting")
def schedule_meeting(request, payload: MeetingIn):
    org = _org(request.user, "governance.hold_meetings", MEETINGS_ONLY)
    held_at = payload.held_at
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    meeting = meetings.schedule(request, org, held_at, payload.service_id)
    return Status(201, _meeting_out(meeting))


class MinuteOut(Schema):
    discussion: str
    decision: str
    recorded_by: str
    recorded_at: datetime
    actions: list[ActionOut]


def _minute_out(m) -> MinuteOut:
    return MinuteOut(
        discussion=m.discussion,
        decision=m.decision,
        recorded_by=staff_name(m.recorded_by),
        recorded_at=m.recorded_at,
        actions=[_action_out(a) for a in m.actions.all()],
    )


class ItemOut(Schema):
    key: str = Field(description="Identifies the item when minuting it")
    record_type: str
    record_id: int | None
    title: str
    detail: str
    person_id: int | None
    minutes: list[MinuteOut]


class SectionOut(Schema):
    code: str
    title: str
    why: str
    items: list[ItemOut]
    more: int = Field(description="Items not listed, beyond the section's limit")


class AgendaOut(Schema):
    meeting: MeetingOut
    sections: list[SectionOut]


@router.get(
    "/meetings/{meeting_id}/agenda",
    response=AgendaOut,
    summary="The agenda, built from the records, with any minutes taken",
)
def meeting_agenda(request, meeting_id: int):
    org = _org(request.user, "governance.hold_meetings", MEETINGS_ONLY)
    meeting = (
        Meeting.objects.filter(organisation_id=org, pk=meeting_id)
        .select_related("service", "chair")
        .first()
    )
    if meeting is None:
        raise Http404
    sections = meetings.agenda(meeting, request.user)
    meetings.record_agenda_read(request, meeting, sections, via="api")
    return AgendaOut(
        meeting=_meeting_out(meeting),
        sections=[
            SectionOut(
                code=s.code,
                title=s.title,
                why=s.why,
                more=s.more,
                items=[
                    ItemOut(
                        key=i.key,
                        record_type=i.record_type,
                        record_id=i.record_id,
                        title=i.title,
                        detail=i.detail,
                        person_id=i.person.pk if i.person else None,
                        minutes=[_minute_out(m) for m in i.minutes],
                    )
                    for i in s.items
                ],
            )
            for s in sections
        ],
    )


class MinuteIn(Input):
    item: str = Field(description='The agenda item\'s key, from the agenda, e.g. "alert:12"')
    discussion: str = Field(description="What was discussed, in at least 3 words")
    decision: str = ""
    action: ActionIn | None = Field(None, description="An action agreed, if one was")


@router.post(
    "/meetings/{meeting_id}/minutes",
    response={201: MinuteOut},
    summary="Minute one agenda item, with an action if one was agreed (all or nothing)",
)
def minute_item(request, meeting_id: int, payload: MinuteIn):
    from django.core.exceptions import ValidationError

    org = _org(request.user, "governance.hold_meetings", MEETINGS_ONLY)
    meeting = Meeting.objects.filter(organisation_id=org, pk=meeting_id).first()
    if meeting is None:
        raise Http404
    item = meetings.find_item(meetings.agenda(meeting, request.user), payload.item)
    if item is None:
        raise ValidationError(
            {"item": "That item is not on this meeting's agenda: use a key the agenda gives"}
        )
    data = {"discussion": payload.discussion, "decision": payload.decision}
    if payload.action:
        data |= {
            "action": payload.action.description,
            "owner": _staff(org, payload.action.owner_id, "action.owner_id"),
            "due": payload.action.due,
        }
    minute = meetings.record_minute(request, meeting, item, data)
    return Status(201, _minute_out(minute))


# Supervision -------------------------------------------------------------------------


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
    supervisor: str
    held_at: datetime
    items: list[dict]
    prompts: list[dict]
    reflection: str
    learning: str
    next_due: date


@router.post(
    "/supervisions",
    response={201: SupervisionOut},
    summary="Record a supervision session with a member of staff",
)
def record_supervision(request, payload: SupervisionIn):
    org = _org(
        request.user, "governance.supervise", "Only team managers and safeguarding leads supervise."
    )
    staff = supervisionlib.supervisees(request.user, org).filter(pk=payload.staff_id).first()
    if staff is None:
        raise Http404
    session = supervisionlib.record(request, org, staff, payload.dict())
    return Status(
        201,
        SupervisionOut(
            id=session.pk,
            staff_id=staff.pk,
            supervisor=staff_name(session.supervisor),
            held_at=session.held_at,
            items=session.items,
            prompts=session.prompts,
            reflection=session.reflection,
            learning=session.learning,
            next_due=session.next_due,
        ),
    )


# Learning log ------------------------------------------------------------------------


class LessonIn(Input):
    title: str
    source: str = Field(description=", ".join(Lesson.Source.values))
    what_happened: str
    failure_pattern: str = Field(description=", ".join(Lesson.Pattern.values))
    policy_versions: list[int] = Field([], description="Ids of the policy versions it changed")
    measure: str = Field(description="One of the measure codes")
    changed_on: date
    window_days: int = 90
    finding: int | None = None


class EffectOut(Schema):
    measure: str
    label: str
    unit: str
    better: str
    before: float | None
    after: float | None
    n_before: int
    n_after: int
    improved: bool | None
    after_complete: bool


class LessonOut(Schema):
    id: int
    title: str
    source: str
    what_happened: str
    failure_pattern: str
    policy_versions: list[int]
    changed_on: date
    window_days: int
    effect: EffectOut
    actions: list[ActionOut]


def _lesson_out(lesson: Lesson) -> LessonOut:
    effect = measures.before_after(lesson)
    return LessonOut(
        id=lesson.pk,
        title=lesson.title,
        source=lesson.source,
        what_happened=lesson.what_happened,
        failure_pattern=lesson.failure_pattern,
        policy_versions=[v.pk for v in lesson.policy_versions.all()],
        changed_on=lesson.changed_on,
        window_days=lesson.window_days,
        effect=EffectOut(**{k: effect[k] for k in EffectOut.model_fields}),
        actions=[_action_out(a) for a in lesson.actions.select_related("owner")],
    )


LEARNING_ONLY = "Your role does not keep the learning log."


@router.get("/lessons", response=list[LessonOut], summary="The learning log, newest first")
def list_lessons(request):
    org = _org(request.user, "governance.keep_learning_log", LEARNING_ONLY)
    return [
        _lesson_out(lesson)
        for lesson in Lesson.objects.filter(organisation_id=org).prefetch_related(
            "policy_versions"
        )[:PAGE_SIZE]
    ]


@router.post("/lessons", response={201: LessonOut}, summary="Add a lesson to the learning log")
def add_lesson(request, payload: LessonIn):
    org = _org(request.user, "governance.keep_learning_log", LEARNING_ONLY)
    lesson = learning.record(request, org, payload.dict())
    return Status(201, _lesson_out(lesson))


# Evidence packs ----------------------------------------------------------------------


class EvidencePackOut(Schema):
    id: int
    period_from: date
    period_to: date
    status: str = Field(description="queued, running, done or failed")
    progress: int
    step: str
    sha256: str = Field(description="Of the PDF, once done")
    pdf_url: str | None = Field(description="Download the PDF (with the same token), once done")
    html_url: str | None
    error: str


def _pack_out(p: EvidencePack) -> EvidencePackOut:
    done = p.status == Job.DONE
    return EvidencePackOut(
        id=p.pk,
        period_from=p.period_from,
        period_to=p.period_to,
        status=p.status,
        progress=p.progress,
        step=p.step,
        sha256=p.sha256,
        pdf_url=f"/api/v1/evidence-packs/{p.pk}/pdf" if done else None,
        html_url=f"/api/v1/evidence-packs/{p.pk}/html" if done else None,
        error=p.error,
    )


EVIDENCE_ONLY = (
    "Only safeguarding leads, auditors and the data protection officer build evidence packs."
)


@router.post(
    "/evidence-packs",
    response={202: EvidencePackOut},
    summary="Build a de-identified evidence pack for a period (in the background)",
)
def build_evidence_pack(request, payload: PeriodIn):
    org = _org(request.user, "governance.build_evidence_pack", EVIDENCE_ONLY)
    pack = evidence.start(request, org, payload.period_from, payload.period_to)
    return Status(202, _pack_out(pack))


def _pack_for(request, pack_id) -> EvidencePack:
    org = _org(request.user, "governance.build_evidence_pack", EVIDENCE_ONLY)
    jobs.give_up_stopped(org)
    pack = EvidencePack.objects.filter(organisation_id=org, pk=pack_id).defer("html", "pdf").first()
    if pack is not None and evidence.hidden_from(pack, request.user):
        pack = None
    if pack is None:
        raise Http404
    return pack


@router.get(
    "/evidence-packs/{pack_id}",
    response=EvidencePackOut,
    summary="An evidence pack's status, progress and download links",
)
def get_evidence_pack(request, pack_id: int):
    return _pack_out(_pack_for(request, pack_id))


@router.get("/evidence-packs/{pack_id}/{form}", summary="Download an evidence pack: pdf or html")
def download_evidence_pack(request, pack_id: int, form: str):
    pack = _pack_for(request, pack_id)
    if form not in ("pdf", "html") or pack.status != Job.DONE:
        raise Http404
    throttle.check_export(request)
    trail.record_request(
        request,
        "downloaded evidence pack",
        object_type="evidence_pack",
        object_id=pack.pk,
        organisation_id=pack.organisation_id,
        detail={"form": form, "via": "api"},
    )
    pack = EvidencePack.objects.get(pk=pack.pk)
    if form == "pdf":
        return HttpResponse(bytes(pack.pdf), content_type="application/pdf")
    return HttpResponse(pack.html, content_type="text/html; charset=utf-8")
