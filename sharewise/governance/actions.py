"""Actions: what someone agreed to do by a date, from an audit finding, a meeting's
minutes or a lesson, followed until it is done."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.governance.models import Action, Finding
from sharewise.organisations.models import Membership
from sharewise.patterns.models import Notification

MIN_WORDS = 3


def staff_of(organisation_id: int, user_id) -> bool:
    return Membership.objects.filter(organisation_id=organisation_id, user_id=user_id).exists()


def problems(organisation_id: int, description: str, owner, due) -> dict[str, str]:
    """What to fix before an action can be agreed, by field."""
    found = {}
    if len((description or "").split()) < MIN_WORDS:
        found["description"] = "Say what will be done, in at least 3 words"
    if owner is None or not staff_of(organisation_id, getattr(owner, "pk", owner)):
        found["owner"] = "Choose who will do it, from your organisation's staff"
    if not isinstance(due, date):
        found["due"] = "Give the date it is due, for example 27 3 2027"
    elif due < timezone.localdate():
        found["due"] = "The due date cannot be in the past"
    return found


def add(
    request,
    organisation_id: int,
    description,
    owner,
    due,
    *,
    finding=None,
    minute=None,
    lesson=None,
) -> Action:
    """Agree an action. Raises ValidationError({field: message}) and saves nothing when
    something is missing."""
    found = problems(organisation_id, description, owner, due)
    if finding is not None and finding.status == Finding.Status.CLOSED:
        # A closed finding would hold an open action nobody is asked about.
        found["finding"] = "This finding is closed: agree the action on a new finding or lesson"
    if found:
        raise ValidationError(found)
    with transaction.atomic():
        action = Action.objects.create(
            organisation_id=organisation_id,
            description=description.strip(),
            owner=owner,
            due=due,
            finding=finding,
            minute=minute,
            lesson=lesson,
            created_by=request.user,
        )
        if finding is not None and finding.status == Finding.Status.OPEN:
            Finding.objects.filter(pk=finding.pk).update(status=Finding.Status.ACTIONED)
            finding.status = Finding.Status.ACTIONED
        if owner.pk != request.user.pk:
            Notification.objects.create(
                recipient=owner,
                message=f"Action for you, due {due:%-d %B %Y}: {action.description[:120]}",
                link=reverse("action", args=[action.pk]),
            )
        trail.record_request(
            request,
            "action.agree",
            object_type="action",
            object_id=action.pk,
            organisation_id=organisation_id,
            person_id=getattr(minute, "person_id", None) or getattr(finding, "person_id", None),
            detail={"owner": owner.pk, "due": due.isoformat()},
        )
    return action


def complete(request, action: Action, note: str) -> Action:
    """Mark an action done with what was done. A finding closes when all its actions are."""
    if action.is_done:
        raise ValidationError({"note": "This action is already done"})
    if len((note or "").split()) < MIN_WORDS:
        raise ValidationError({"note": "Say what was done, in at least 3 words"})
    with transaction.atomic():
        now = timezone.now()
        Action.objects.filter(pk=action.pk).update(
            done_at=now, done_by=request.user, done_note=note.strip()
        )
        action.done_at, action.done_by, action.done_note = now, request.user, note.strip()
        if (
            action.finding_id
            and not Action.objects.filter(
                finding_id=action.finding_id, done_at__isnull=True
            ).exists()
        ):
            Finding.objects.filter(pk=action.finding_id).update(
                status=Finding.Status.CLOSED, closed_at=now
            )
        trail.record_request(
            request,
            "action.done",
            object_type="action",
            object_id=action.pk,
            organisation_id=action.organisation_id,
        )
    return action


def close_finding(request, finding: Finding, reason: str) -> Finding:
    """Close a finding that needs no action (already put right, or not a failure after
    all), saying why. One with open actions closes when they are done instead."""
    if finding.status == Finding.Status.CLOSED:
        raise ValidationError({"reason": "This finding is already closed"})
    if Action.objects.filter(finding=finding, done_at__isnull=True).exists():
        raise ValidationError(
            {"reason": "This finding has actions still open: it closes when they are done"}
        )
    if len((reason or "").split()) < 5:
        raise ValidationError({"reason": "Say why no action is needed, in at least 5 words"})
    now = timezone.now()
    with transaction.atomic():
        Finding.objects.filter(pk=finding.pk).update(
            status=Finding.Status.CLOSED,
            closed_at=now,
            closed_by=request.user,
            closed_note=reason.strip(),
        )
        trail.record_request(
            request,
            "finding.close",
            object_type="finding",
            object_id=finding.pk,
            organisation_id=finding.organisation_id,
            person_id=finding.person_id,
            reason=reason.strip(),
        )
    finding.refresh_from_db()
    return finding


def open_actions(organisation_id: int):
    return Action.objects.filter(organisation_id=organisation_id, done_at__isnull=True)


def overdue(organisation_id: int, today=None):
    return open_actions(organisation_id).filter(due__lt=today or timezone.localdate())
