"""Safeguarding oversight meetings: scheduling, minutes per agenda item (with actions
followed up at the next meeting until they are done), and signing the minutes off.
The agenda itself is built in governance.agenda."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.governance import actions as actionlib
from sharewise.governance import agenda as agendalib
from sharewise.governance.agenda import Item, agenda, find_item
from sharewise.governance.models import Meeting, Minute
from sharewise.organisations.models import Service
from sharewise.policy import store

# The agenda is built in governance.agenda; these names are how callers reach it.
__all__ = ["Item", "agenda", "find_item", "next_due", "record_minute", "schedule"]


def next_due(organisation_id: int, service=None) -> date | None:
    """When the next meeting should be held: the policy's interval after the last."""
    last = Meeting.objects.filter(organisation_id=organisation_id, service=service).first()
    if last is None:
        return None
    _, policy = store.in_force(organisation_id, "governance")
    return timezone.localdate(last.held_at) + timedelta(days=policy.meeting_every_days)


def schedule(request, organisation_id: int, held_at, service_id=None) -> Meeting:
    """Plan a meeting. The agenda looks back to the previous meeting (or one interval)."""
    found = {}
    if not isinstance(held_at, datetime):
        found["held_at"] = "Give the date and time of the meeting"
    service = None
    if service_id:
        service = Service.objects.filter(organisation_id=organisation_id, pk=service_id).first()
        if service is None:
            found["service"] = (
                "Choose one of your organisation's services, or the whole organisation"
            )
    if found:
        raise ValidationError(found)
    _, policy = store.in_force(organisation_id, "governance")
    before = (
        Meeting.objects.filter(organisation_id=organisation_id, service=service)
        .filter(held_at__lt=held_at)
        .first()
    )
    try:
        period_from = (
            timezone.localdate(before.held_at)
            if before
            else timezone.localdate(held_at) - timedelta(days=policy.meeting_every_days)
        )
    except (OverflowError, ValueError):
        # Early in the year 1 the agenda's look-back leaves the calendar.
        raise ValidationError(
            {"held_at": "Give the meeting's real date: this one is too early to plan for"}
        ) from None
    meeting = Meeting.objects.create(
        organisation_id=organisation_id,
        service=service,
        held_at=held_at,
        period_from=period_from,
        chair=request.user,
        created_by=request.user,
    )
    trail.record_request(
        request,
        "meeting.schedule",
        object_type="meeting",
        object_id=meeting.pk,
        organisation_id=organisation_id,
    )
    return meeting


def record_agenda_read(request, meeting: Meeting, sections, **detail) -> None:
    """Write the read of everyone the agenda names to the trail (page and API alike)."""
    trail.record_reads(
        request,
        "viewed meeting agenda",
        sorted({i.person.pk for s in sections for i in s.items if i.person is not None}),
        organisation_id=meeting.organisation_id,
        object_type="meeting",
        object_id=meeting.pk,
        detail=detail or None,
    )


def record_minute(request, meeting: Meeting, item: Item, data: dict) -> Minute:
    """Minute one agenda item, with an action if one was agreed; all or nothing."""
    found = {}
    if len((data.get("discussion") or "").split()) < 3:
        found["discussion"] = "Say what was discussed, in at least 3 words"
    if meeting.closed_at:
        found["discussion"] = "These minutes are signed off; they cannot be added to"
    wants_action = any(data.get(k) for k in ("action", "owner", "due"))
    if wants_action:
        for name, message in actionlib.problems(
            meeting.organisation_id, data.get("action"), data.get("owner"), data.get("due")
        ).items():
            found["action" if name == "description" else name] = message
    if found:
        raise ValidationError(found)
    with transaction.atomic():
        minute = Minute.objects.create(
            meeting=meeting,
            item_kind=item.kind,
            record_type=item.record_type,
            record_id=item.record_id,
            person=item.person,
            title=item.title[:300],
            discussion=data["discussion"].strip(),
            decision=(data.get("decision") or "").strip(),
            recorded_by=request.user,
        )
        trail.record_request(
            request,
            "meeting.minute",
            object_type="meeting",
            object_id=meeting.pk,
            person_id=item.person.pk if item.person else None,
            organisation_id=meeting.organisation_id,
            detail={"minute": minute.pk, "item": item.key},
        )
        if wants_action:
            actionlib.add(
                request,
                meeting.organisation_id,
                data["action"],
                data["owner"],
                data["due"],
                minute=minute,
            )
    return minute


def sign_off(request, meeting: Meeting) -> None:
    """Close the minutes and keep the agenda as it stands, all or nothing."""
    if meeting.closed_at:
        return
    if not meeting.minutes.exists():
        raise ValidationError({"minutes": "Record at least one minute before signing off"})
    now = timezone.now()
    snapshot = agendalib.frozen(agendalib.live(meeting, request.user, now), request.user, now)
    with transaction.atomic():
        closed = Meeting.objects.filter(pk=meeting.pk, closed_at__isnull=True).update(
            closed_at=now, agenda_snapshot=snapshot
        )
        if not closed:  # signed off meanwhile, with its own snapshot
            return
        meeting.closed_at, meeting.agenda_snapshot = now, snapshot
        trail.record_request(
            request,
            "meeting.sign_off",
            object_type="meeting",
            object_id=meeting.pk,
            organisation_id=meeting.organisation_id,
        )
