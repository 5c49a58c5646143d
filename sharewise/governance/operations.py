"""Governance's one way in for writes: what the pages and the API both call, so the
permission and the checks are the same whichever is used. Each takes the request (for
the acting user and the trail) and validated values, raises PermissionDenied for a
refusal and ValidationError({field: message}) for input to fix, saving nothing, and
leaves the work itself to the module that owns it."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse

from sharewise.audittrail import trail
from sharewise.governance import actions as actionlib
from sharewise.governance import audits, evidence, learning, meetings
from sharewise.governance import supervision as supervisionlib
from sharewise.governance.access import (
    EVIDENCE,
    LEARNING,
    MEETINGS,
    RUNS_AUDITS,
    SAMPLES,
    SEES_FINDINGS,
    SUPERVISES,
    may_complete,
    organisation_for,
)
from sharewise.governance.models import Action, Finding, Job, Lesson, Meeting, SampleItem
from sharewise.security import throttle

COMPLETES = "Only the action's owner or a safeguarding lead marks it done."


def staff_member(organisation_id: int, user_id, field: str = "owner"):
    """An active member of the organisation's staff, by id; else a ValidationError
    naming the field."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not actionlib.staff_of(organisation_id, user.pk):
        raise ValidationError({field: "Choose a member of your organisation's staff"})
    return user


# Audits and findings


def run_audit(request, period_from, period_to):
    org = organisation_for(request.user, "governance.run_audit", RUNS_AUDITS)
    return audits.start(request, org, period_from, period_to)


def agree_finding_action(request, finding: Finding, description, owner, due) -> Action:
    org = organisation_for(request.user, "governance.see_findings", SEES_FINDINGS)
    return actionlib.add(request, org, description, owner, due, finding=finding)


def close_finding(request, finding: Finding, reason: str) -> Finding:
    """Close a finding that needs no action, saying why."""
    organisation_for(request.user, "governance.see_findings", SEES_FINDINGS)
    return actionlib.close_finding(request, finding, reason)


# Actions


def complete_action(request, action: Action, note: str) -> Action:
    if not may_complete(request.user, action):
        raise PermissionDenied(COMPLETES)
    return actionlib.complete(request, action, note)


# Case-file samples


def draw_sample(request, kind, period_from, period_to, size, seed=None):
    org = organisation_for(request.user, "governance.case_file_audit", SAMPLES)
    return audits.draw_sample(request, org, kind, period_from, period_to, size, seed)


def record_check(request, item: SampleItem, answers: dict, notes: str) -> SampleItem:
    organisation_for(request.user, "governance.case_file_audit", SAMPLES)
    return audits.record_check(request, item, answers, notes)


# Meetings


def schedule_meeting(request, held_at, service_id=None) -> Meeting:
    org = organisation_for(request.user, "governance.hold_meetings", MEETINGS)
    return meetings.schedule(request, org, held_at, service_id)


def minute_item(request, meeting: Meeting, key: str, data: dict, sections=None):
    """Minute the agenda item with this key (with an action if one was agreed)."""
    organisation_for(request.user, "governance.hold_meetings", MEETINGS)
    item = meetings.find_item(sections or meetings.agenda(meeting, request.user), key)
    if item is None:
        raise ValidationError(
            {"item": "That item is no longer on the agenda: reload it and use a key it gives"}
        )
    return item, meetings.record_minute(request, meeting, item, data)


def sign_off_meeting(request, meeting: Meeting) -> Meeting:
    organisation_for(request.user, "governance.hold_meetings", MEETINGS)
    meetings.sign_off(request, meeting)
    return meeting


# Supervision and the learning log


def record_supervision(request, staff, data: dict):
    org = organisation_for(request.user, "governance.supervise", SUPERVISES)
    return supervisionlib.record(request, org, staff, data)


def record_lesson(request, data: dict) -> Lesson:
    org = organisation_for(request.user, "governance.keep_learning_log", LEARNING)
    return learning.record(request, org, data)


def agree_lesson_action(request, lesson: Lesson, description, owner, due) -> Action:
    org = organisation_for(request.user, "governance.keep_learning_log", LEARNING)
    return actionlib.add(request, org, description, owner, due, lesson=lesson)


# Evidence packs


def build_evidence_pack(request, period_from, period_to):
    org = organisation_for(request.user, "governance.build_evidence_pack", EVIDENCE)
    return evidence.start(request, org, period_from, period_to)


def evidence_pack_file(request, pack, form: str, *, via="page") -> HttpResponse:
    """A finished pack as a download (pdf or html), counted against the export limit and
    written to the trail."""
    throttle.check_export(request)
    trail.record_request(
        request,
        "downloaded evidence pack",
        object_type="evidence_pack",
        object_id=pack.pk,
        organisation_id=pack.organisation_id,
        detail={"form": form} | ({"via": via} if via != "page" else {}),
    )
    name = f"evidence-pack-{pack.period_from}-to-{pack.period_to}"
    if form == "pdf":
        response = HttpResponse(bytes(pack.pdf), content_type="application/pdf")
    else:
        response = HttpResponse(pack.html, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{form}"'
    return response


def is_ready(pack) -> bool:
    return pack.status == Job.DONE
