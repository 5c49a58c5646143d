"""The governance router and what its modules share: periods, actions and paging."""

from datetime import date, datetime

from ninja import Field, Router, Schema

from sharewise.api.inputs import Input
from sharewise.organisations.models import staff_name

router = Router(tags=["Audits, oversight and learning"])

PAGE_SIZE = 100


class PeriodIn(Input):
    period_from: date
    period_to: date


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


def action_out(a) -> ActionOut:
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
