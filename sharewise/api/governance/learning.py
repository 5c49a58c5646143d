"""The learning log: lessons, their measure before and after, and their actions."""

from datetime import date

from django.http import Http404
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
from sharewise.governance import access, assigning, operations
from sharewise.governance.models import Lesson

SINCE_CHANGES_ON_OR_AFTER = Query(None, alias="from", description="Changes on or after")
UNTIL_CHANGES_ON_OR_BEFORE = Query(None, alias="to", description="Changes on or before")


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
    """A lesson from access (get_lesson_for or with_effects), which sets its effect."""
    effect = lesson.effect
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
        actions=[action_out(a) for a in lesson.actions.select_related("owner")],
    )


@router.get("/lessons", response=list[LessonOut], summary="The learning log, newest first")
def list_lessons(
    request,
    failure_pattern: str = Query("", description=", ".join(Lesson.Pattern.values)),
    date_from: Day | None = SINCE_CHANGES_ON_OR_AFTER,
    date_to: Day | None = UNTIL_CHANGES_ON_OR_BEFORE,
):
    lessons = on_days(access.lessons_visible_to(request.user), "changed_on", date_from, date_to)
    if failure_pattern:
        lessons = lessons.filter(failure_pattern=failure_pattern)
    lessons = access.with_effects(lessons.prefetch_related("policy_versions")[:PAGE_SIZE])
    return [_lesson_out(x) for x in lessons]


@router.post("/lessons", response={201: LessonOut}, summary="Add a lesson to the learning log")
def add_lesson(request, payload: LessonIn):
    lesson = operations.record_lesson(request, payload.dict())
    return Status(201, _lesson_out(access.with_effects([lesson])[0]))


@router.get("/lessons/{lesson_id}", response=LessonOut, summary="One lesson")
def get_lesson(request, lesson_id: int):
    return _lesson_out(access.get_lesson_for(request, lesson_id))


@router.post(
    "/lessons/{lesson_id}/actions",
    response={201: ActionOut},
    summary="Agree an action from a lesson, with an owner and a due date",
)
def add_lesson_action(request, lesson_id: int, payload: ActionIn):
    lesson = access.get_lesson_for(request, lesson_id)
    owner = operations.staff_member(lesson.organisation_id, payload.owner_id, "owner_id")
    action = operations.agree_lesson_action(
        request, lesson, payload.description, owner, payload.due
    )
    return Status(201, action_out(action))


class AssignTrainingIn(Input):
    what: str = Field(description="case or policy")
    case_code: str = ""
    policy_kind: str = Field("", description=", ".join(assigning.policy_choices()))
    roles: list[str] = Field([], description=", ".join(assigning.ROLES))
    team_ids: list[int] = []
    staff_ids: list[int] = []
    due: date
    note: str = ""


class AssignedTrainingOut(Schema):
    id: int
    what: str
    due: date
    reached: int = Field(description="Staff it reaches")
    done: int = Field(description="Of them, how many have done it")
    overdue: bool
    withdrawn: bool


def assigned_out(org: int, source: str, source_id: int, assignment_id: int):
    rows = assigning.assigned_from(org, source, source_id)
    return next(AssignedTrainingOut(**r) for r in rows if r["id"] == assignment_id)


@router.post(
    "/lessons/{lesson_id}/training",
    response={201: AssignedTrainingOut},
    summary="Assign a practice case or a policy to read from a lesson (safeguarding leads)",
)
def assign_lesson_training(request, lesson_id: int, payload: AssignTrainingIn):
    assigning.check_may_assign(request.user)
    lesson = access.get_lesson_for(request, lesson_id)
    made = assigning.assign_from(
        request, lesson.organisation_id, "lesson", lesson.pk, payload.dict(), via="api"
    )
    return Status(201, assigned_out(lesson.organisation_id, "lesson", lesson.pk, made.pk))


@router.post(
    "/actions/{action_id}/training",
    response={201: AssignedTrainingOut},
    summary="Assign a practice case or a policy to read from an audit finding's action "
    "(safeguarding leads)",
)
def assign_action_training(request, action_id: int, payload: AssignTrainingIn):
    assigning.check_may_assign(request.user)
    action = access.get_action_for(request, action_id, via="api")
    if not action.finding_id:
        raise Http404("Training is assigned from an audit finding's action")
    made = assigning.assign_from(
        request, action.organisation_id, "action", action.pk, payload.dict(), via="api"
    )
    return Status(201, assigned_out(action.organisation_id, "action", action.pk, made.pk))
