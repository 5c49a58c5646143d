"""Actions agreed on findings, at meetings and from lessons: listing and completing."""

from django.utils import timezone
from ninja import Field, Query

from sharewise.api.governance.common import PAGE_SIZE, ActionOut, action_out, router
from sharewise.api.inputs import Day, Input
from sharewise.days import on_days
from sharewise.governance import access, operations

SINCE_DUE_ON_OR_AFTER = Query(None, alias="from", description="Due on or after")
UNTIL_DUE_ON_OR_BEFORE = Query(None, alias="to", description="Due on or before")


@router.get(
    "/actions",
    response=list[ActionOut],
    summary="Actions: everyone's for those who see findings, meetings or lessons, else your own",
)
def list_actions(
    request,
    owner_id: int | None = Query(None, description="Only this member of staff's"),
    status: str = Query("", description="open, overdue or done"),
    date_from: Day | None = SINCE_DUE_ON_OR_AFTER,
    date_to: Day | None = UNTIL_DUE_ON_OR_BEFORE,
):

    shown = on_days(access.actions_visible_to(request.user), "due", date_from, date_to)
    if owner_id is not None:
        shown = shown.filter(owner_id=owner_id)
    if status in ("open", "overdue"):
        shown = shown.filter(done_at__isnull=True)
    if status == "overdue":
        shown = shown.filter(due__lt=timezone.localdate())
    elif status == "done":
        shown = shown.filter(done_at__isnull=False)
    return [action_out(a) for a in shown.order_by("done_at", "due", "id")[:PAGE_SIZE]]


@router.get("/actions/{action_id}", response=ActionOut, summary="One action")
def get_action(request, action_id: int):
    return action_out(access.get_action_for(request, action_id, via="api"))


class ActionDoneIn(Input):
    note: str = Field(description="What was done, in at least 3 words")


@router.post(
    "/actions/{action_id}/complete",
    response=ActionOut,
    summary="Mark an action done, saying what was done (its owner or a safeguarding lead)",
)
def complete_action(request, action_id: int, payload: ActionDoneIn):
    action = access.get_action_for(request, action_id, via="api")
    return action_out(operations.complete_action(request, action, payload.note))
