"""Governance's one way in for reads: audits and their findings, actions, case-file
samples, meetings, supervision sessions, lessons and evidence packs, each fetched
from what the user may see. A role without the permission is refused (403); a record
outside the user's scope or of another organisation is not found (404), exactly like
one that does not exist. Reads that show a person's record are written to the trail.
Pages and the API both call these."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.concerns.models import Concern
from sharewise.governance import actions as actionlib
from sharewise.governance import assigning, audits, evidence, learning, measures, meetings
from sharewise.governance import supervision as supervisionlib
from sharewise.governance.models import (
    Action,
    AuditRun,
    EvidencePack,
    Finding,
    Lesson,
    Meeting,
    Sample,
    SampleItem,
    Supervision,
)
from sharewise.organisations.access import scope_for
from sharewise.people.models import Person
from sharewise.sharing.models import SharingDecision
from sharewise.training import access as training_access
from sharewise.training import figures as training_figures

SEES_FINDINGS = "Your role does not see audit findings."
RUNS_AUDITS = "Only auditors and safeguarding leads run audits."
SAMPLES = "Only auditors and safeguarding leads audit case files."
MEETINGS = "Only safeguarding leads hold oversight meetings."
SUPERVISES = "Only team managers and safeguarding leads supervise."
LEARNING = "Your role does not keep the learning log."
EVIDENCE = "Only safeguarding leads, auditors and the data protection officer build evidence packs."
ACTION_PERMISSIONS = (
    "governance.see_findings",
    "governance.hold_meetings",
    "governance.keep_learning_log",
)


def organisation_for(user, perm: str, message: str = "") -> int:
    """The user's organisation, if their role has this permission; else PermissionDenied."""
    if not user.has_perm(perm):
        raise PermissionDenied(message)
    return scope_for(user).organisation_id


def visible_people(user, ids) -> set[int]:
    """Those of these people the user may see."""
    ids = {i for i in ids if i}
    if not ids:
        return set()
    return set(Person.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def _detail(via: str, **detail) -> dict | None:
    return ({**detail, "via": via} if via != "page" else detail) or None


def hub_summary(user, can: dict) -> dict:
    """The governance hub's counts, each only for those whose role uses it."""
    org = scope_for(user).organisation_id
    today = timezone.localdate()
    summary = {
        "my_actions": actionlib.open_actions(org).filter(owner=user).count(),
        "overdue_actions": actionlib.overdue(org, today).count(),
    }
    if can["findings"]:
        summary["open_findings"] = Finding.objects.filter(
            organisation_id=org, status=Finding.Status.OPEN
        ).count()
        summary["last_run"] = AuditRun.objects.filter(organisation_id=org).first()
    if can["meetings"]:
        summary["next_meeting"] = (
            Meeting.objects.filter(organisation_id=org, held_at__gte=timezone.now())
            .order_by("held_at")
            .first()
        )
        summary["meeting_due"] = meetings.next_due(org)
    if can["supervise"]:
        rows = supervisionlib.overview(user, org, today)
        summary["supervision_overdue"] = sum(r.overdue for r in rows)
        summary["supervisees"] = len(rows)
    return summary


# Audits and findings -------------------------------------------------------------------


def audits_visible_to(user):
    """The organisation's audit runs, newest first, for those who see findings."""
    org = organisation_for(user, "governance.see_findings", SEES_FINDINGS)
    return AuditRun.objects.filter(organisation_id=org).select_related("started_by")


def audit_trend(user) -> list[dict]:
    """Each audit run with its findings per criterion, oldest first."""
    org = organisation_for(user, "governance.see_findings", SEES_FINDINGS)
    return audits.trend(org)


def get_audit_for(request, run_id) -> AuditRun:
    run = audits_visible_to(request.user).filter(pk=run_id).first()
    if run is None:
        raise Http404("No such audit")
    return run


def record_findings_read(request, run: AuditRun, findings, *, via="page") -> set[int]:
    """Write the read of the people these findings name whom the user may see; returns
    those people's ids (the others are not named to the user)."""
    visible = visible_people(request.user, [f.person_id for f in findings])
    if visible:
        trail.record_reads(
            request,
            "viewed audit findings",
            sorted(visible),
            organisation_id=run.organisation_id,
            object_type="audit",
            object_id=run.pk,
            detail=_detail(via),
        )
    return visible


def findings_visible_to(user):
    org = organisation_for(user, "governance.see_findings", SEES_FINDINGS)
    return Finding.objects.filter(organisation_id=org)


def get_finding_for(request, finding_id, *, via="page") -> Finding:
    """A finding of the user's organisation; `shows_person` says whether the user may
    see the person it names, and such a read is written to the trail."""
    finding = (
        findings_visible_to(request.user)
        .filter(pk=finding_id)
        .select_related("run", "owner", "person", "team", "closed_by")
        .first()
    )
    if finding is None:
        raise Http404("No such finding")
    finding.shows_person = bool(visible_people(request.user, [finding.person_id]))
    if finding.shows_person:
        trail.record_request(
            request,
            "viewed audit finding",
            object_type="finding",
            object_id=finding.pk,
            person_id=finding.person_id,
            organisation_id=finding.organisation_id,
            detail=_detail(via),
        )
    return finding


# Actions -------------------------------------------------------------------------------


def sees_every_action(user) -> bool:
    return any(user.has_perm(p) for p in ACTION_PERMISSIONS)


def actions_visible_to(user):
    """The organisation's actions for those who see findings, meetings or lessons;
    anyone else's own."""
    shown = Action.objects.filter(organisation_id=scope_for(user).organisation_id)
    if not sees_every_action(user):
        shown = shown.filter(owner=user)
    return shown.select_related("owner", "finding", "lesson", "minute__meeting")


def may_complete(user, action: Action) -> bool:
    return action.owner_id == user.pk or user.has_perm("governance.hold_meetings")


def get_action_for(request, action_id, *, via="page") -> Action:
    action = (
        actions_visible_to(request.user)
        .select_related("done_by", "created_by", "minute__person")
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        raise Http404("No such action")
    if action.minute_id and action.minute.person_id:
        # The minute it came from names the person it was about.
        trail.record_request(
            request,
            "viewed action",
            object_type="action",
            object_id=action.pk,
            person_id=action.minute.person_id,
            organisation_id=action.organisation_id,
            detail=_detail(via),
        )
    return action


# Case-file samples ---------------------------------------------------------------------


def samples_visible_to(user):
    """Samples this user may open: a lead's organisation's, an auditor's own. A sample
    is what opens records to an auditor, so one drawn by someone else opens none."""
    org = organisation_for(user, "governance.case_file_audit", SAMPLES)
    return _samples_of(user, org)


def sample_summaries(user):
    """Samples listed on the audits page, with how many of their records are checked:
    those the user may open, or for those who see findings without auditing case files,
    the same rule's list without the records."""
    org = organisation_for(user, "governance.see_findings", SEES_FINDINGS)
    return _samples_of(user, org).annotate(
        checked=Count("items", filter=Q(items__checked_at__isnull=False))
    )


def _samples_of(user, org: int):
    samples = Sample.objects.filter(organisation_id=org).select_related("drawn_by")
    if org in scope_for(user).case_wide_org_ids:
        return samples
    return samples.filter(drawn_by=user)


def get_sample_for(request, sample_id) -> Sample:
    sample = samples_visible_to(request.user).filter(pk=sample_id).first()
    if sample is None:
        raise Http404("No such sample")
    return sample


def get_sample_item_for(request, item_id, *, via="page") -> SampleItem:
    """A sampled record of a sample the user may open, with `record` (the concern or
    sharing decision) and `review` (a concern's review) set; the read of the person's
    record is written to the trail."""
    item = (
        SampleItem.objects.filter(sample__in=samples_visible_to(request.user), pk=item_id)
        .select_related("sample", "person", "checked_by")
        .first()
    )
    if item is None:
        raise Http404("No such sampled record")
    item.record, item.review = sampled_record(item)
    sample = item.sample
    trail.record_request(
        request,
        "case-file audit",
        object_type="concern" if sample.kind == Sample.Kind.CONCERNS else "sharing_decision",
        object_id=item.record_id,
        person_id=item.person_id,
        organisation_id=sample.organisation_id,
        detail=_detail(via, sample=sample.pk),
    )
    return item


def sampled_record(item: SampleItem):
    """The record a sample item stands for and, for a concern, its review."""
    org = item.sample.organisation_id
    if item.sample.kind == Sample.Kind.CONCERNS:
        record = (
            Concern.objects.filter(organisation_id=org, pk=item.record_id)
            .select_related("team", "recorded_by")
            .first()
        )
        return record, getattr(record, "review", None) if record else None
    record = (
        SharingDecision.objects.filter(organisation_id=org, pk=item.record_id)
        .select_related("decided_by")
        .first()
    )
    return record, None


# Meetings ------------------------------------------------------------------------------


def meetings_visible_to(user):
    org = organisation_for(user, "governance.hold_meetings", MEETINGS)
    return Meeting.objects.filter(organisation_id=org).select_related("service", "chair")


def get_meeting_for(request, meeting_id) -> Meeting:
    meeting = meetings_visible_to(request.user).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("No such meeting")
    return meeting


def next_meeting_due(user, service=None):
    org = organisation_for(user, "governance.hold_meetings", MEETINGS)
    return meetings.next_due(org, service)


def agenda_for(request, meeting: Meeting, *, via="page"):
    """The meeting's agenda as the user may see it, with the read of everyone it names
    written to the trail."""
    sections = meetings.agenda(meeting, request.user)
    meetings.record_agenda_read(
        request, meeting, sections, **({"via": via} if via != "page" else {})
    )
    return sections


# Supervision ---------------------------------------------------------------------------


def get_supervisee_for(request, user_id):
    """A member of staff the user may supervise (404 for anyone else)."""
    org = organisation_for(request.user, "governance.supervise", SUPERVISES)
    staff = supervisionlib.supervisees(request.user, org).filter(pk=user_id).first()
    if staff is None:
        raise Http404("No such member of staff")
    return staff


def supervision_overview(user):
    """Each of the user's supervisees with their last session and whether one is due."""
    org = organisation_for(user, "governance.supervise", SUPERVISES)
    return supervisionlib.overview(user, org)


def own_supervision(user):
    """Anyone's own supervision record and when the next session is due."""
    org = scope_for(user).organisation_id
    return supervisionlib.own(user, org) if org else supervisionlib.Own([], None, False)


def supervision_material_for(request, staff) -> dict[str, list[dict]]:
    """A supervisee's recent work the user may see, with the read of everyone it names
    written to the trail."""
    org = organisation_for(request.user, "governance.supervise", SUPERVISES)
    work = supervisionlib.material(request.user, staff, org)
    people = sorted({r["person_id"] for rows in work.values() for r in rows if r["person_id"]})
    trail.record_reads(
        request,
        "viewed supervision material",
        people,
        organisation_id=org,
        object_type="staff",
        object_id=staff.pk,
    )
    return work


def supervisee_training_for(request, staff) -> dict | None:
    """What the supervisor sees of the member of staff's training before the session:
    practice results, read receipts and open assignments; None when the supervisor
    may not see this person's training."""
    org = organisation_for(request.user, "governance.supervise", SUPERVISES)
    if not training_access.staff_visible_to(request.user).filter(pk=staff.pk).exists():
        return None
    return training_figures.staff_training(staff, org)


def as_seen(user, sessions) -> list[Supervision]:
    """The sessions, each with `shown_items`: what was discussed as the user may see it
    (for lists, which name nobody to the trail)."""
    sessions = list(sessions)
    visible = visible_people(user, (i.get("person_id") for s in sessions for i in s.items))
    for session in sessions:
        session.shown_items = supervisionlib.shown_items(session, visible)
    return sessions


def sessions_visible_to(user):
    """Sessions the user may read: theirs as supervisor or supervisee, any for a lead."""
    org = scope_for(user).organisation_id
    if not org:
        return Supervision.objects.none()
    return supervisionlib.sessions_for(user, org).select_related("staff", "supervisor")


def get_supervision_for(request, session_id, *, via="page") -> Supervision:
    """Readable by its supervisor, the member of staff supervised and leads; anyone
    else is told there is no such session. `visible` holds the people discussed whom
    the user may see, and their reads are written to the trail."""
    session = sessions_visible_to(request.user).filter(pk=session_id).first()
    if session is None:
        raise Http404("No such supervision")
    session.visible = visible_people(request.user, (i.get("person_id") for i in session.items))
    session.shown_items = supervisionlib.shown_items(session, session.visible)
    trail.record_reads(
        request,
        "viewed supervision record",
        sorted(session.visible),
        organisation_id=session.organisation_id,
        object_type="supervision",
        object_id=session.pk,
        detail=_detail(via),
    )
    return session


# Learning log --------------------------------------------------------------------------


def lessons_visible_to(user):
    org = organisation_for(user, "governance.keep_learning_log", LEARNING)
    return Lesson.objects.filter(organisation_id=org)


def get_lesson_for(request, lesson_id) -> Lesson:
    """A lesson of the user's organisation, with `effect`, its measure before and after."""
    lesson = (
        lessons_visible_to(request.user)
        .filter(pk=lesson_id)
        .select_related("recorded_by", "finding")
        .first()
    )
    if lesson is None:
        raise Http404("No such lesson")
    lesson.effect = assigning.shown_effect(measures.before_after(lesson), lesson.organisation_id)
    return lesson


def with_effects(lessons) -> list[Lesson]:
    """The lessons, each with `effect`, its measure before and after."""
    lessons = list(lessons)
    for lesson in lessons:
        lesson.effect = assigning.shown_effect(
            measures.before_after(lesson), lesson.organisation_id
        )
    return lessons


def lesson_choices(user) -> tuple:
    """What a new lesson may name: the organisation's policy versions, and measures."""
    org = organisation_for(user, "governance.keep_learning_log", LEARNING)
    return learning.versions_to_choose(org), measures.CHOICES


# Evidence packs ------------------------------------------------------------------------


def packs_visible_to(user, limit: int = 20) -> list[EvidencePack]:
    """The newest packs, less those that would tell the user of a concern naming them."""
    org = organisation_for(user, "governance.build_evidence_pack", EVIDENCE)
    packs = list(
        EvidencePack.objects.filter(organisation_id=org)
        .select_related("requested_by")
        .defer("html", "pdf")[:limit]
    )
    hidden = evidence.hidden_packs(packs, user)
    return [p for p in packs if p.pk not in hidden]


def get_pack_for(request, pack_id, *, files=False) -> EvidencePack:
    """A pack the user may open; its HTML and PDF are read only when files is set."""
    org = organisation_for(request.user, "governance.build_evidence_pack", EVIDENCE)
    packs = EvidencePack.objects.filter(organisation_id=org, pk=pack_id)
    pack = (packs if files else packs.defer("html", "pdf")).first()
    if pack is None or evidence.hidden_from(pack, request.user):
        raise Http404("No such evidence pack")
    return pack
