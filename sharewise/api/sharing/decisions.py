"""Sharing decisions: record one, list a person's (by status and date range), read
one, countersign it, amend its details; and the sharing work list. The same scope,
permissions and validation as the pages (sharing.decisions does the work)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from sharewise.api.inputs import Input
from sharewise.api.sharing.assess import AnswersIn
from sharewise.api.sharing.common import (
    ListFilters,
    check_answers,
    check_concerns,
    listed,
    name,
    page_of,
    require,
)
from sharewise.concerns.models import Concern
from sharewise.organisations import stepup
from sharewise.patterns.models import Alert
from sharewise.people.access import get_person_for
from sharewise.sharing import access, decisions
from sharewise.sharing.models import SharingDecision
from sharewise.sharing.work import work_for

router = Router(tags=["Sharing decisions"])


class SharingDecisionIn(Input):
    person_id: int
    alert_id: int | None = Field(None, description="The alert this decision answers")
    answers: AnswersIn = AnswersIn()
    question: str = Field("", description="The question being decided")
    purpose: str = Field("", description="What sharing would be for, in words")
    concern_ids: list[int] = []
    outcome: str = Field(
        "",
        description="share_with_consent, share_without_consent, share_deidentified, "
        "do_not_share or monitor",
    )
    override_grounds: list[str] = Field([], description="When sharing without consent")
    article_6: str = Field("", max_length=2, description="UK GDPR Article 6 basis, e.g. f")
    article_9: str = Field("", max_length=2, description="UK GDPR Article 9 condition, e.g. g")
    schedule_1: str = Field("", max_length=10, description="DPA 2018 Schedule 1, e.g. para_18")
    necessity: str = Field("", description="Why necessary and proportionate, in your words")
    recipient_organisation: str = Field("", max_length=200)
    recipient_role: str = Field("", max_length=200)
    recipient_name: str = Field("", max_length=200)
    what_shared: str = ""
    channel: str = Field("", description="secure_email, portal, phone, letter or in_person")
    person_told: str = Field("", description="yes or no")
    not_told_reason: str = ""
    review_date: date | None = Field(None, description="Required when not sharing")
    departure_rationale: str = Field(
        "", description="Required when deciding against the recommendation"
    )
    advised_by: str = ""
    contradiction_reason: str = Field(
        "",
        description="Required when the outcome goes against the standing decision "
        "within its review period",
    )
    advice_ids: list[int] = Field(
        [], description="Your answered questions about this person that advised the decision"
    )


class SharingDecisionAmendmentOut(Schema):
    amended_at: datetime
    amended_by: str
    reason: str
    changes: dict


class AdviceOut(Schema):
    question: str
    answer: str
    asked_by: str
    answered_by: str | None


class SharingDecisionOut(Schema):
    id: int
    person_id: int
    alert_id: int | None
    concern_ids: list[int] = Field(description="Only the concerns you may see")
    question: str
    purpose: str
    consent_id: int | None
    consent_outcome: str
    not_sought_reason: str
    capacity: str
    capacity_assessment_id: int | None
    answers: dict
    facts: dict
    recommendation: str
    recommendation_reasons: list[dict]
    recommended_bases: list[dict]
    lead_review_reason: str
    outcome: str
    override_grounds: list[str]
    article_6: str
    article_9: str
    schedule_1: str
    necessity: str
    recipient_organisation: str
    recipient_role: str
    recipient_name: str
    what_shared: str
    channel: str
    person_told: str
    not_told_reason: str
    departs: bool
    departure_rationale: str
    review_date: date | None
    standing: bool
    decided_by: str
    decided_at: datetime
    advised_by: str
    policy_version: int
    information_policy_version: int | None
    appropriate_policy_version: int | None
    status: str
    countersign_because: str
    countersign_needs_lead: bool
    countersigned_by: str | None
    countersigned_at: datetime | None
    countersign_note: str
    amendments: list[SharingDecisionAmendmentOut]
    advice: list[AdviceOut]


def _decision_out(decision: SharingDecision, user) -> SharingDecisionOut:
    d = SharingDecision.objects.select_related(
        "decided_by",
        "countersigned_by",
        "policy_version",
        "information_policy",
        "appropriate_policy",
    ).get(pk=decision.pk)
    return SharingDecisionOut(
        id=d.pk,
        person_id=d.person_id,
        alert_id=d.alert_id,
        concern_ids=sorted(
            d.concerns.filter(pk__in=Concern.objects.visible_to(user)).values_list("pk", flat=True)
        ),
        question=d.question,
        purpose=d.purpose,
        consent_id=d.consent_id,
        consent_outcome=d.consent_outcome,
        not_sought_reason=d.not_sought_reason,
        capacity=d.capacity,
        capacity_assessment_id=d.capacity_assessment_id,
        answers=d.answers,
        facts=d.facts,
        recommendation=d.recommendation,
        recommendation_reasons=d.recommendation_reasons,
        recommended_bases=d.recommended_bases,
        lead_review_reason=d.lead_review_reason,
        outcome=d.outcome,
        override_grounds=d.override_grounds,
        article_6=d.article_6,
        article_9=d.article_9,
        schedule_1=d.schedule_1,
        necessity=d.necessity,
        recipient_organisation=d.recipient_organisation,
        recipient_role=d.recipient_role,
        recipient_name=d.recipient_name,
        what_shared=d.what_shared,
        channel=d.channel,
        person_told=d.person_told,
        not_told_reason=d.not_told_reason,
        departs=d.departs,
        departure_rationale=d.departure_rationale,
        review_date=d.review_date,
        standing=d.standing,
        decided_by=name(d.decided_by),
        decided_at=d.decided_at,
        advised_by=d.advised_by,
        policy_version=d.policy_version.version,
        information_policy_version=d.information_policy.version if d.information_policy else None,
        appropriate_policy_version=d.appropriate_policy.version if d.appropriate_policy else None,
        status=d.status,
        countersign_because=d.countersign_because,
        countersign_needs_lead=d.countersign_needs_lead,
        countersigned_by=name(d.countersigned_by),
        countersigned_at=d.countersigned_at,
        countersign_note=d.countersign_note,
        amendments=[
            SharingDecisionAmendmentOut(
                amended_at=a.amended_at,
                amended_by=name(a.amended_by),
                reason=a.reason,
                changes=a.changes,
            )
            for a in d.amendments.select_related("amended_by")
        ],
        advice=[
            AdviceOut(
                question=a.question,
                answer=a.answer,
                asked_by=name(a.asked_by),
                answered_by=name(a.answered_by),
            )
            for a in d.advice.select_related("asked_by", "answered_by")
        ],
    )


@router.post(
    "/sharing-decisions",
    response={201: SharingDecisionOut},
    summary="Record and sign a sharing decision (team managers, safeguarding leads)",
    description="The framework's recommendation is worked out again from the answers and "
    "stored with the decision. Deciding against it needs departure_rationale and another's "
    "countersignature; so does not sharing while risk is building, unless a lead decides.",
)
def record_decision(request, payload: SharingDecisionIn):
    require(
        request.user,
        "sharing.record_decision",
        "Only team managers and safeguarding leads record sharing decisions.",
    )
    person = get_person_for(
        request, payload.person_id, action="opened to record sharing decision", via="api"
    )
    alert = None
    if payload.alert_id is not None:
        alert = Alert.objects.visible_to(request.user).filter(pk=payload.alert_id).first()
        if alert is None:
            raise Http404("No such alert")
    answers = payload.answers.dict(exclude_none=True)
    check_answers(person, answers)
    data = payload.dict(exclude={"person_id", "alert_id", "answers"})
    data["concern_ids"] = check_concerns(request.user, payload.concern_ids)
    try:
        decision = decisions.record_decision(request, person, answers, data, alert=alert, via="api")
    except ValidationError as error:
        raise ValidationError(
            {("alert_id" if k == "alert" else k): v for k, v in error.message_dict.items()}
        ) from None
    return Status(201, _decision_out(decision, request.user))


@router.get(
    "/sharing-decisions/{decision_id}",
    response=SharingDecisionOut,
    summary="One sharing decision, all of its record",
)
def get_decision(request, decision_id: int):
    return _decision_out(access.get_decision_for(request, decision_id, via="api"), request.user)


class CountersignIn(Input):
    agree: bool = Field(description="true to countersign; false to decline")
    note: str = Field("", description="Required (at least 5 words) when declining")


@router.post(
    "/sharing-decisions/{decision_id}/countersign",
    response=SharingDecisionOut,
    summary="Countersign, or decline, a decision waiting for it (leads, data protection officer)",
)
def countersign(request, decision_id: int, payload: CountersignIn):
    decision = access.get_decision_for(
        request, decision_id, action="opened decision to countersign", via="api"
    )
    if not request.user.has_perm("sharing.countersign", decision):
        raise PermissionDenied(
            "Only a safeguarding lead or the data protection officer who did not make the "
            "decision countersigns it (only a lead, where risk is building)."
        )
    stepup.require_for_api(request, "countersign a sharing decision")
    decision = decisions.countersign(request, decision, payload.agree, payload.note, via="api")
    return _decision_out(decision, request.user)


class SharingDecisionSummary(Schema):
    id: int
    person_id: int
    question: str
    outcome: str
    recommendation: str
    status: str = Field(description="signed, awaiting_countersign, declined or superseded")
    standing: bool
    decided_by: str
    decided_at: datetime
    review_date: date | None


class SharingDecisionPage(Schema):
    count: int
    page: int
    pages: int
    results: list[SharingDecisionSummary]


def _summary(d: SharingDecision) -> SharingDecisionSummary:
    return SharingDecisionSummary(
        id=d.pk,
        person_id=d.person_id,
        question=d.question,
        outcome=d.outcome,
        recommendation=d.recommendation,
        status=d.status,
        standing=d.standing,
        decided_by=name(d.decided_by),
        decided_at=d.decided_at,
        review_date=d.review_date,
    )


@router.get(
    "/sharing-decisions",
    response=SharingDecisionPage,
    summary="Sharing decisions you may see (team managers, leads, data protection officer; "
    "others their own)",
    description="Newest first; from and to filter by when the decision was made. Each "
    "person listed is written to the audit trail.",
)
def list_decisions(
    request,
    filters: Query[ListFilters],
    status: str | None = Query(
        None, description="signed, awaiting_countersign, declined or superseded"
    ),
):
    records = access.decisions_visible_to(request.user).select_related("decided_by")
    if status is not None:
        if status not in SharingDecision.Status.values:
            raise ValidationError(
                {"status": ["Use signed, awaiting_countersign, declined or superseded"]}
            )
        records = records.filter(status=status)
    shown, paginator, current = listed(
        request, records, filters, "decided_at", "listed sharing decisions"
    )
    return page_of(SharingDecisionPage, [_summary(d) for d in shown], paginator, current)


class DecisionAmendmentIn(Input):
    reason: str = Field(description="Why you are amending the decision (at least 3 words)")
    changes: dict = Field(
        description="New values by field: recipient_organisation, recipient_role, "
        "recipient_name, what_shared, channel, person_told, not_told_reason, review_date "
        "(YYYY-MM-DD). What was decided, and why, needs a new decision."
    )


def _amendment_values(changes: dict) -> dict:
    """The changes as the page's form gives them: a review date as a date."""
    values = dict(changes)
    if isinstance(values.get("review_date"), str):
        try:
            values["review_date"] = date.fromisoformat(values["review_date"])
        except ValueError:
            raise ValidationError(
                {"review_date": ["Give the review date as YYYY-MM-DD, for example 2026-03-31"]}
            ) from None
    for key, value in values.items():
        if key != "review_date" and not isinstance(value, str):
            raise ValidationError({key: ["Give this as text"]})
    return values


@router.post(
    "/sharing-decisions/{decision_id}/amendments",
    response={201: SharingDecisionOut},
    summary="Amend a decision's details (team managers, safeguarding leads)",
    description="Only who received it, what was shared and how, telling the person and "
    "the review date change; the original stays in the record.",
)
def amend_decision(request, decision_id: int, payload: DecisionAmendmentIn):
    require(
        request.user,
        "sharing.record_decision",
        "Only team managers and safeguarding leads amend sharing decisions.",
    )
    decision = access.get_decision_for(
        request, decision_id, action="opened decision to amend", via="api"
    )
    decisions.amend(
        request, decision, _amendment_values(payload.changes), payload.reason, via="api"
    )
    return Status(201, _decision_out(decision, request.user))


class AdviceWaiting(Schema):
    id: int
    person_id: int | None
    question: str
    asked_at: datetime
    asked_by: str


class DraftOut(Schema):
    id: int
    person_id: int
    step: str
    updated_at: datetime


class SharingWorkOut(Schema):
    waiting: list[SharingDecisionSummary] = Field(description="Waiting for your countersignature")
    due: list[SharingDecisionSummary] = Field(
        description="Standing refusals whose review is due within a week"
    )
    questions: list[AdviceWaiting] = Field(description="Questions waiting for your answer")
    drafts: list[DraftOut] = Field(description="Your unfinished decisions")
    recent: list[SharingDecisionSummary] = Field(description="The latest decisions")


@router.get(
    "/sharing-work",
    response=SharingWorkOut,
    summary="What waits in sharing: countersignatures, reviews due, questions, drafts "
    "(team managers, leads, data protection officer)",
)
def sharing_work(request):
    work = work_for(request, via="api")
    return SharingWorkOut(
        waiting=[_summary(d) for d in work.waiting],
        due=[_summary(d) for d in work.due],
        questions=[
            AdviceWaiting(
                id=q.pk,
                person_id=q.person_id,
                question=q.question,
                asked_at=q.asked_at,
                asked_by=name(q.asked_by),
            )
            for q in work.questions
        ],
        drafts=[
            DraftOut(id=d.pk, person_id=d.person_id, step=d.step, updated_at=d.updated_at)
            for d in work.drafts
        ],
        recent=[_summary(d) for d in work.recent],
    )
