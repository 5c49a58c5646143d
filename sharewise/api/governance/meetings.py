"""Oversight meetings: scheduling, the agenda, minutes and signing them off."""

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Query, Schema, Status

from sharewise.api.governance.common import (
    PAGE_SIZE,
    ActionIn,
    ActionOut,
    action_out,
    router,
)
from sharewise.api.inputs import Day, Input
from sharewise.days import on_days
from sharewise.governance import access, operations
from sharewise.governance.models import Meeting
from sharewise.organisations.models import staff_name

SINCE_HELD_ON_OR_AFTER = Query(None, alias="from", description="Held on or after")
UNTIL_HELD_ON_OR_BEFORE = Query(None, alias="to", description="Held on or before")


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


@router.get("/meetings", response=list[MeetingOut], summary="Oversight meetings, newest first")
def list_meetings(
    request,
    status: str = Query("", description="open, or signed_off"),
    date_from: Day | None = SINCE_HELD_ON_OR_AFTER,
    date_to: Day | None = UNTIL_HELD_ON_OR_BEFORE,
):
    shown = on_days(access.meetings_visible_to(request.user), "held_at", date_from, date_to)
    if status in ("open", "signed_off"):
        shown = shown.filter(closed_at__isnull=status == "open")
    return [_meeting_out(m) for m in shown[:PAGE_SIZE]]


@router.post("/meetings", response={201: MeetingOut}, summary="Schedule an oversight meeting")
def schedule_meeting(request, payload: MeetingIn):
    held_at = payload.held_at
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    meeting = operations.schedule_meeting(request, held_at, payload.service_id)
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
        actions=[action_out(a) for a in m.actions.all()],
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


def _item_out(i) -> ItemOut:
    return ItemOut(
        key=i.key,
        record_type=i.record_type,
        record_id=i.record_id,
        title=i.title,
        detail=i.detail,
        person_id=i.person.pk if i.person else None,
        minutes=[_minute_out(m) for m in i.minutes],
    )


@router.get(
    "/meetings/{meeting_id}/agenda",
    response=AgendaOut,
    summary="The agenda, built from the records, with any minutes taken",
)
def meeting_agenda(request, meeting_id: int):
    meeting = access.get_meeting_for(request, meeting_id)
    sections = access.agenda_for(request, meeting, via="api")
    return AgendaOut(
        meeting=_meeting_out(meeting),
        sections=[
            SectionOut(
                code=s.code,
                title=s.title,
                why=s.why,
                more=s.more,
                items=[_item_out(i) for i in s.items],
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
    meeting = access.get_meeting_for(request, meeting_id)
    data = {"discussion": payload.discussion, "decision": payload.decision}
    if payload.action:
        owner = operations.staff_member(
            meeting.organisation_id, payload.action.owner_id, "action.owner_id"
        )
        data |= {"action": payload.action.description, "owner": owner, "due": payload.action.due}
    _, minute = operations.minute_item(request, meeting, payload.item, data)
    return Status(201, _minute_out(minute))


@router.post(
    "/meetings/{meeting_id}/sign-off",
    response=MeetingOut,
    summary="Sign off a meeting's minutes, keeping its agenda as it stands",
)
def sign_off_meeting(request, meeting_id: int):
    meeting = access.get_meeting_for(request, meeting_id)
    return _meeting_out(operations.sign_off_meeting(request, meeting))
