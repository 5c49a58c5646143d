"""Advice: ask the safeguarding lead, list and read questions, and answer one (leads
and the data protection officer), as the pages do."""

from datetime import datetime

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status

from sharewise.api.inputs import Input
from sharewise.api.sharing.common import ListFilters, listed, name, page_of, require
from sharewise.organisations.access import scope_for
from sharewise.people.access import get_person_for
from sharewise.sharing import access, decisions
from sharewise.sharing.models import AdviceRequest

router = Router(tags=["Advice"])


class AdviceIn(Input):
    question: str = Field("", description="At least 4 words")
    person_id: int | None = Field(
        None, description="Leave out to ask without naming anyone (recommended where you can)"
    )


class AdviceRequestOut(Schema):
    id: int
    question: str
    person_id: int | None
    asked_at: datetime
    asked_by: str
    answered: bool
    answer: str = ""
    answered_by: str | None = None
    answered_at: datetime | None = None
    decision_id: int | None = Field(None, description="The sharing decision it advised")


class AdvicePage(Schema):
    count: int
    page: int
    pages: int
    results: list[AdviceRequestOut]


def _advice_out(advice: AdviceRequest) -> AdviceRequestOut:
    return AdviceRequestOut(
        id=advice.pk,
        question=advice.question,
        person_id=advice.person_id,
        asked_at=advice.asked_at,
        asked_by=name(advice.asked_by),
        answered=advice.answered,
        answer=advice.answer,
        answered_by=name(advice.answered_by),
        answered_at=advice.answered_at,
        decision_id=advice.decision_id,
    )


@router.post(
    "/advice-requests",
    response={201: AdviceRequestOut},
    summary="Ask the safeguarding lead for advice",
)
def ask_advice(request, payload: AdviceIn):
    require(
        request.user,
        "sharing.ask_advice",
        "Only care workers, team managers, safeguarding leads and the data protection "
        "officer ask for advice.",
    )
    person = None
    if payload.person_id is not None:
        person = get_person_for(
            request, payload.person_id, action="opened to ask for advice", via="api"
        )
        organisation_id = person.organisation_id
    else:
        organisation_id = scope_for(request.user).organisation_id
    advice = decisions.ask_advice(
        request, organisation_id, payload.question, person=person, via="api"
    )
    advice = AdviceRequest.objects.select_related("asked_by").get(pk=advice.pk)
    return Status(201, _advice_out(advice))


@router.get(
    "/advice-requests",
    response=AdvicePage,
    summary="Questions you asked; for leads and the data protection officer, all of the "
    "organisation's",
    description="Newest first; from and to filter by when it was asked. Each person named "
    "is written to the audit trail.",
)
def list_advice(
    request,
    filters: Query[ListFilters],
    status: str | None = Query(None, description="waiting or answered"),
):
    records = access.advice_visible_to(request.user).select_related("asked_by", "answered_by")
    if status == "waiting":
        records = records.filter(answered_at__isnull=True)
    elif status == "answered":
        records = records.filter(answered_at__isnull=False)
    elif status is not None:
        raise ValidationError({"status": ["Use waiting or answered"]})
    shown, paginator, current = listed(request, records, filters, "asked_at", "listed advice")
    return page_of(AdvicePage, [_advice_out(a) for a in shown], paginator, current)


@router.get(
    "/advice-requests/{advice_id}",
    response=AdviceRequestOut,
    summary="One question, answered or not",
)
def get_advice(request, advice_id: int):
    return _advice_out(access.get_advice_for(request, advice_id, via="api"))


class AnswerIn(Input):
    answer: str = Field(description="Your advice (at least 4 words)")


@router.post(
    "/advice-requests/{advice_id}/answer",
    response=AdviceRequestOut,
    summary="Answer a question (safeguarding leads, data protection officer)",
    description="The one who asked is told. A question is answered once.",
)
def answer_advice(request, advice_id: int, payload: AnswerIn):
    advice = access.get_advice_for(request, advice_id, action="opened advice to answer", via="api")
    require(
        request.user,
        "sharing.answer_advice",
        "Only safeguarding leads and the data protection officer answer questions.",
    )
    return _advice_out(decisions.answer_advice(request, advice, payload.answer, via="api"))
