"""Practice cases and attempts: the casebook (without the answers key), starting an
attempt, answering it and reading attempts. The same permission, scope and marking as
the practice pages (sharewise.training's access and practice modules)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Query, Schema, Status

from sharewise.api.inputs import Input
from sharewise.api.sharing.assess import AnswersIn
from sharewise.api.training.common import router
from sharewise.organisations.models import staff_name
from sharewise.training import access, casebook, practice
from sharewise.training.models import Attempt


def _require(user):
    if not user.has_perm("training.practise"):
        raise PermissionDenied("Practice cases are for staff who work with people.")


class CaseSummary(Schema):
    code: str
    title: str
    brief: str
    kind: str = Field(description="decision, or referral (the decision, then the referral)")
    trains: str = Field(description="The failure pattern it trains")
    tags: list[str]


class PracticeCaseOut(CaseSummary):
    case: dict = Field(description="The case as staff see it: no answers key")


@router.get("/training/cases", response=list[CaseSummary], summary="The practice casebook")
def list_cases(request):
    _require(request.user)
    return [
        CaseSummary(**c.model_dump(include={"code", "title", "brief", "kind", "trains", "tags"}))
        for c in casebook.cases().values()
    ]


def _case(code):
    case = casebook.get(code)
    if case is None:
        raise Http404("No such practice case")
    return case


@router.get("/training/cases/{code}", response=PracticeCaseOut, summary="One practice case")
def get_case(request, code: str):
    _require(request.user)
    case = _case(code)
    return PracticeCaseOut(
        **case.model_dump(include={"code", "title", "brief", "kind", "trains", "tags"}),
        case=case.shown(),
    )


class FeedbackOut(Schema):
    point: str
    right: bool | None = Field(description="null: information, not marked")
    why: str


class PracticeAttemptOut(Schema):
    id: int
    staff_id: int
    staff: str
    case_code: str
    case_title: str
    started_at: datetime
    finished_at: datetime | None
    answers: dict
    feedback: list[FeedbackOut]
    score: int | None = Field(description="Percent, once finished")
    sent: dict[str, str] = Field(
        description="For a referral case: what the recipient would have read (nothing is sent)"
    )


def _attempt_out(attempt: Attempt) -> PracticeAttemptOut:
    return PracticeAttemptOut(
        id=attempt.pk,
        staff_id=attempt.staff_id,
        staff=staff_name(attempt.staff),
        case_code=attempt.case_code,
        case_title=attempt.case_title,
        started_at=attempt.started_at,
        finished_at=attempt.finished_at,
        answers=attempt.answers,
        feedback=attempt.feedback,
        score=attempt.score,
        sent=practice.sent(attempt),
    )


class StartIn(Input):
    case_code: str = Field(description="The case to practise, from GET /training/cases")


@router.post(
    "/training/attempts",
    response={201: PracticeAttemptOut},
    summary="Start a practice attempt at a case",
)
def start_attempt(request, payload: StartIn):
    _require(request.user)
    case = casebook.get(payload.case_code)
    if case is None:
        raise ValidationError({"case_code": ["No such practice case: see GET /training/cases"]})
    return Status(201, _attempt_out(practice.start(request, case, via="api")))


class AttemptFilters(Schema):
    staff_id: int | None = Field(None, description="Only this member of staff's attempts")


@router.get(
    "/training/attempts",
    response=list[PracticeAttemptOut],
    summary="Practice attempts you may see (your own; your teams' as a manager; all as a lead)",
)
def list_attempts(request, filters: Query[AttemptFilters]):
    _require(request.user)
    return [_attempt_out(a) for a in access.attempts_of(request.user, filters.staff_id)[:200]]


@router.get("/training/attempts/{attempt_id}", response=PracticeAttemptOut, summary="One attempt")
def get_attempt(request, attempt_id: int):
    _require(request.user)
    return _attempt_out(access.get_attempt_for(request, attempt_id))


class DecisionIn(Input):
    outcome: str = Field(
        description="share_with_consent, share_without_consent, share_deidentified, "
        "do_not_share or monitor"
    )
    grounds: list[str] = Field([], description="Grounds for sharing without consent")
    article_6: str = Field("", max_length=2)
    article_9: str = Field("", max_length=2)
    schedule_1: str = Field("", max_length=10)


class AttemptAnswersIn(Input):
    answers: AnswersIn = Field(description="The decision framework's questions, as in assess")
    decision: DecisionIn
    fields: list[str] = Field([], description="Referral cases: the fields sent")
    removed: list[str] = Field(
        [], description="Referral cases: the people (party keys) whose names are replaced"
    )


@router.post(
    "/training/attempts/{attempt_id}/answers",
    response=PracticeAttemptOut,
    summary="Answer your practice attempt: returns the feedback and score",
    description="An attempt is answered once, by the member of staff practising.",
)
def answer_attempt(request, attempt_id: int, payload: AttemptAnswersIn):
    _require(request.user)
    attempt = access.get_own_attempt_for(request, attempt_id)
    chosen = {
        "answers": payload.answers.dict(exclude_none=True),
        "decision": payload.decision.dict(),
        "fields": payload.fields,
        "removed": payload.removed,
    }
    case = practice.case_of(attempt)
    if case is not None and case.referral is None:
        chosen.pop("fields")
        chosen.pop("removed")
    return _attempt_out(practice.finish(request, attempt, chosen, via="api"))
