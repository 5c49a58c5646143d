"""Consent, capacity assessments, the sharing decision framework, sharing decisions,
countersignatures and advice: the same scope, permissions and changes as the pages
(sharewise.sharing.decisions does the work; these handlers only fetch and answer)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from sharewise.api.inputs import Input
from sharewise.concerns.models import Concern
from sharewise.organisations import stepup
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import staff_name
from sharewise.patterns.models import Alert
from sharewise.people.access import get_person_for
from sharewise.policy import store
from sharewise.sharing import decisions, framework
from sharewise.sharing.models import (
    AdviceRequest,
    CapacityAssessment,
    ConsentRecord,
    SharingDecision,
)

router = Router(tags=["Sharing decisions"])


def _name(user) -> str | None:
    return staff_name(user) or None


def _aware(when: datetime | None) -> datetime | None:
    """A time sent without a zone is taken as local time."""
    if when is not None and timezone.is_naive(when):
        return timezone.make_aware(when)
    return when


def _require(user, perm, message):
    if not user.has_perm(perm):
        raise PermissionDenied(message)


def _check_concerns(user, concern_ids):
    """Only concerns the caller may see can be named: the same answer for one that is
    hidden as for one that does not exist."""
    ids = sorted({int(i) for i in concern_ids or ()})
    if not ids:
        return ids
    visible = set(Concern.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    if missing := [i for i in ids if i not in visible]:
        raise ValidationError(
            {
                "concern_ids": [
                    "These are not concerns about this person that you can see: "
                    + ", ".join(map(str, missing))
                ]
            }
        )
    return ids


def _check_answers(person, answers: dict):
    """The framework's answers, checked first so their problems are named under
    answers.* (the decision has fields of the same names)."""
    _, policy = store.in_force(person.organisation_id, "sharing")
    if found := framework.problems(decisions.answers_from(answers), policy):
        raise ValidationError({f"answers.{k}": [v] for k, v in found.items()})


# Consent ---------------------------------------------------------------------------


class ConsentIn(Input):
    person_id: int
    purpose: str = Field("", description="What the information would be shared for, and with whom")
    outcome: str = Field("", description="given, refused, withdrawn or not_sought")
    not_sought_reason: str = Field(
        "", description="When not sought: unsafe, prejudice, cannot_obtain or emergency"
    )
    explained_how: str = Field(
        "", description="How it was explained: what would be shared, with whom and why"
    )
    persons_words: str = ""
    capacity: str = Field("", description="presumed, has_capacity or lacks_capacity")
    capacity_assessment_id: int | None = Field(
        None, description="The assessment relied on (default: the latest)"
    )
    concern_ids: list[int] = []
    asked_at: datetime | None = Field(None, description="Default: now")


class ConsentOut(Schema):
    id: int
    person_id: int
    purpose: str
    outcome: str
    not_sought_reason: str
    explained_how: str
    persons_words: str
    capacity: str
    capacity_assessment_id: int | None
    asked_at: datetime
    asked_by: str | None
    concern_ids: list[int]


def _consent_out(consent: ConsentRecord) -> ConsentOut:
    return ConsentOut(
        id=consent.pk,
        person_id=consent.person_id,
        purpose=consent.purpose,
        outcome=consent.outcome,
        not_sought_reason=consent.not_sought_reason,
        explained_how=consent.explained_how,
        persons_words=consent.persons_words,
        capacity=consent.capacity,
        capacity_assessment_id=consent.capacity_assessment_id,
        asked_at=consent.asked_at,
        asked_by=_name(consent.asked_by),
        concern_ids=sorted(consent.concerns.values_list("pk", flat=True)),
    )


@router.post(
    "/consents",
    response={201: ConsentOut},
    summary="Record whether a person consents to information about them being shared",
)
def record_consent(request, payload: ConsentIn):
    _require(
        request.user,
        "sharing.record_consent",
        "Only care workers, team managers and safeguarding leads record consent.",
    )
    person = get_person_for(
        request, payload.person_id, action="opened to record consent", via="api"
    )
    data = payload.dict(exclude={"person_id"})
    data["asked_at"] = _aware(payload.asked_at)
    data["concern_ids"] = _check_concerns(request.user, payload.concern_ids)
    consent = decisions.record_consent(request, person, data, via="api")
    consent = ConsentRecord.objects.select_related("asked_by").get(pk=consent.pk)
    return Status(201, _consent_out(consent))


# Capacity ---------------------------------------------------------------------------


class CapacityIn(Input):
    person_id: int
    decision: str = Field("", description="The one decision capacity is assessed for")
    help_given: str = Field("", description="What was done to help the person decide")
    can_understand: bool | None = None
    can_retain: bool | None = None
    can_use_or_weigh: bool | None = None
    can_communicate: bool | None = None
    impairment: bool | None = Field(
        None,
        description="When the person cannot do one of the four: is that because of an "
        "impairment of, or disturbance in, the mind or brain?",
    )
    impairment_detail: str = ""
    evidence: str = Field("", description="What the person said and did that shows this")
    best_interests: str = Field(
        "", description="When lacking capacity: share or do_not_share (otherwise blank)"
    )
    best_interests_reasons: str = ""
    persons_wishes: str = ""
    consulted: str = ""
    assessed_at: datetime | None = Field(None, description="Default: now")


class CapacityOut(Schema):
    id: int
    person_id: int
    decision: str
    assessed_at: datetime
    assessor: str
    lacks_capacity: bool
    conclusion: str = Field(description="has_capacity or lacks_capacity")
    best_interests: str


@router.post(
    "/capacity-assessments",
    response={201: CapacityOut},
    summary="Record a Mental Capacity Act assessment for one decision",
)
def record_capacity(request, payload: CapacityIn):
    _require(
        request.user,
        "sharing.assess_capacity",
        "Only care workers, team managers and safeguarding leads assess capacity.",
    )
    person = get_person_for(
        request, payload.person_id, action="opened to assess capacity", via="api"
    )
    data = payload.dict(exclude={"person_id"})
    data["assessed_at"] = _aware(payload.assessed_at)
    assessment = decisions.record_capacity(request, person, data, via="api")
    assessment = CapacityAssessment.objects.select_related("assessor").get(pk=assessment.pk)
    return Status(
        201,
        CapacityOut(
            id=assessment.pk,
            person_id=assessment.person_id,
            decision=assessment.decision,
            assessed_at=assessment.assessed_at,
            assessor=_name(assessment.assessor),
            lacks_capacity=assessment.lacks_capacity,
            conclusion=assessment.conclusion,
            best_interests=assessment.best_interests,
        ),
    )


# The framework ----------------------------------------------------------------------


class AnswersIn(Input):
    """The decision framework's questions; any left out take the framework's default."""

    purpose: str | None = Field(
        None, description="Is there a clear, legitimate purpose? yes/no/unsure"
    )
    identifiable: str | None = Field(None, description="yes/no/unsure")
    confidential: str | None = Field(None, description="yes/no/unsure")
    consent: str | None = Field(None, description="given, refused, withdrawn or not_sought")
    not_sought_reason: str | None = None
    capacity: str | None = Field(
        None, description="presumed, has_capacity, lacks_capacity or in_doubt"
    )
    best_interests: str | None = Field(None, description="share, do_not_share or blank")
    grounds: list[str] | None = Field(None, description="Override grounds from the policy")
    at_risk: str | None = Field(
        None, description="Is the person protected a child or an adult at risk? yes/no/unsure"
    )
    necessary: str | None = Field(None, description="yes/no/unsure")
    recipient: str | None = None
    content: str | None = None
    channel: str | None = None
    proportionality: str | None = None
    tell_person: str | None = Field(None, description="yes, no or blank")
    not_told_reason: str | None = None
    accepted: list[str] | None = Field(
        None,
        description="Grounds the record proposes (by ground code) and questions its words "
        "raise (cue:<code>) that you accept: see facts.proposals and facts.cues from "
        "POST /sharing-decisions/assess",
    )
    rebuttals: dict[str, str] | None = Field(
        None,
        description="Proposed grounds or cues you set aside, each with the reason why it "
        "does not apply: {key: reason}",
    )


class AssessIn(Input):
    person_id: int
    concern_ids: list[int] = []
    answers: AnswersIn = AnswersIn()


class ReasonOut(Schema):
    rule: str
    text: str


class BasisOut(Schema):
    ground: str
    article_6: list[str]
    article_9: list[str]
    schedule_1: list[str]
    words: str


class ProposalOut(Schema):
    ground: str = Field(description="The override ground the record proposes")
    evidence: list[str] = Field(description="The concerns and alerts that propose it")


class CueOut(Schema):
    key: str = Field(description="cue:<code>: accept or rebut it under this key")
    ground: str
    question: str
    words: list[str] = Field(description="What the concerns say, as written")
    evidence: list[str]


class FactsOut(Schema):
    is_child: bool
    assessed_capacity: str
    best_interests: str = Field(description="Recorded with the capacity assessment, if any")
    open_alerts: int
    risk_score: float
    risk_threshold: float
    staff_implicated: bool
    standing: str = Field(description="The outcome of the person's standing decision")
    consent_recorded: bool
    categories: list[str]
    proposals: list[ProposalOut]
    cues: list[CueOut]


class AssessmentOut(Schema):
    outcome: str
    label: str
    reasons: list[ReasonOut]
    grounds: list[str]
    bases: list[BasisOut]
    still_to_record: list[str]
    lead_review: str
    share_now: bool
    review_days: int | None
    policy_version: int
    facts: FactsOut


@router.post(
    "/sharing-decisions/assess",
    response=AssessmentOut,
    summary="What the framework recommends for these answers (records nothing)",
    description="Nothing is recorded but the read of the person's record, in the audit "
    "trail. Record the decision with POST /api/v1/sharing-decisions.",
)
def assess(request, payload: AssessIn):
    _require(
        request.user,
        "sharing.use_framework",
        "Only care workers, team managers and safeguarding leads use the framework.",
    )
    person = get_person_for(
        request, payload.person_id, action="assessed sharing decision", via="api"
    )
    answers = payload.answers.dict(exclude_none=True)
    _check_answers(person, answers)
    concern_ids = _check_concerns(request.user, payload.concern_ids)
    recommendation, facts, version = decisions.assess(
        person, answers, concern_ids, viewer=request.user
    )
    _, policy = store.in_force(person.organisation_id, "sharing")
    return AssessmentOut(
        outcome=recommendation.outcome,
        label=recommendation.label,
        reasons=[ReasonOut(rule=r.rule, text=r.text) for r in recommendation.reasons],
        grounds=list(recommendation.grounds),
        bases=[
            BasisOut(
                ground=b.ground,
                article_6=list(b.article_6),
                article_9=list(b.article_9),
                schedule_1=list(b.schedule_1),
                words=framework.describe_basis(b, policy),
            )
            for b in recommendation.bases
        ],
        still_to_record=list(recommendation.still_to_record),
        lead_review=recommendation.lead_review,
        share_now=recommendation.share_now,
        review_days=recommendation.review_days,
        policy_version=version.version,
        facts=FactsOut(
            is_child=facts.is_child,
            assessed_capacity=facts.assessed_capacity,
            best_interests=facts.best_interests,
            open_alerts=facts.open_alerts,
            risk_score=facts.risk_score,
            risk_threshold=facts.risk_threshold,
            staff_implicated=facts.staff_implicated,
            standing=facts.standing,
            consent_recorded=facts.consent_recorded,
            categories=list(facts.categories),
            proposals=[
                ProposalOut(ground=p.ground, evidence=list(p.evidence))
                for p in framework.proposed(facts)
            ],
            cues=[
                CueOut(
                    key=c.key,
                    ground=c.ground,
                    question=c.question,
                    words=list(c.words),
                    evidence=list(c.evidence),
                )
                for c in facts.cues
            ],
        ),
    )


# Sharing decisions ------------------------------------------------------------------


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
        decided_by=_name(d.decided_by),
        decided_at=d.decided_at,
        advised_by=d.advised_by,
        policy_version=d.policy_version.version,
        information_policy_version=d.information_policy.version if d.information_policy else None,
        appropriate_policy_version=d.appropriate_policy.version if d.appropriate_policy else None,
        status=d.status,
        countersign_because=d.countersign_because,
        countersign_needs_lead=d.countersign_needs_lead,
        countersigned_by=_name(d.countersigned_by),
        countersigned_at=d.countersigned_at,
        countersign_note=d.countersign_note,
        amendments=[
            SharingDecisionAmendmentOut(
                amended_at=a.amended_at,
                amended_by=_name(a.amended_by),
                reason=a.reason,
                changes=a.changes,
            )
            for a in d.amendments.select_related("amended_by")
        ],
        advice=[
            AdviceOut(
                question=a.question,
                answer=a.answer,
                asked_by=_name(a.asked_by),
                answered_by=_name(a.answered_by),
            )
            for a in d.advice.select_related("asked_by", "answered_by")
        ],
    )


def _get_decision_for(request, decision_id, action="viewed sharing decision"):
    """A decision about someone the caller may see, for those who see decisions (and
    the decider); 404 otherwise. The read of the person goes to the trail."""
    decision = SharingDecision.objects.visible_to(request.user).filter(pk=decision_id).first()
    if decision is None or (
        not request.user.has_perm("sharing.see_decisions")
        and decision.decided_by_id != request.user.pk
    ):
        raise Http404("No such decision")
    get_person_for(request, decision.person_id, action=action, via="api")
    return decision


@router.post(
    "/sharing-decisions",
    response={201: SharingDecisionOut},
    summary="Record and sign a sharing decision (team managers, safeguarding leads)",
    description="The framework's recommendation is worked out again from the answers and "
    "stored with the decision. Deciding against it needs departure_rationale and another's "
    "countersignature; so does not sharing while risk is building, unless a lead decides.",
)
def record_decision(request, payload: SharingDecisionIn):
    _require(
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
    _check_answers(person, answers)
    data = payload.dict(exclude={"person_id", "alert_id", "answers"})
    data["concern_ids"] = _check_concerns(request.user, payload.concern_ids)
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
    return _decision_out(_get_decision_for(request, decision_id), request.user)


class CountersignIn(Input):
    agree: bool = Field(description="true to countersign; false to decline")
    note: str = Field("", description="Required (at least 5 words) when declining")


@router.post(
    "/sharing-decisions/{decision_id}/countersign",
    response=SharingDecisionOut,
    summary="Countersign, or decline, a decision waiting for it (leads, data protection officer)",
)
def countersign(request, decision_id: int, payload: CountersignIn):
    decision = _get_decision_for(request, decision_id, action="opened decision to countersign")
    if not request.user.has_perm("sharing.countersign", decision):
        raise PermissionDenied(
            "Only a safeguarding lead or the data protection officer who did not make the "
            "decision countersigns it (only a lead, where risk is building)."
        )
    stepup.require_for_api(request, "countersign a sharing decision")
    decision = decisions.countersign(request, decision, payload.agree, payload.note, via="api")
    return _decision_out(decision, request.user)


# Advice -----------------------------------------------------------------------------


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


@router.post(
    "/advice-requests",
    response={201: AdviceRequestOut},
    summary="Ask the safeguarding lead for advice",
)
def ask_advice(request, payload: AdviceIn):
    _require(
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
    return Status(
        201,
        AdviceRequestOut(
            id=advice.pk,
            question=advice.question,
            person_id=advice.person_id,
            asked_at=advice.asked_at,
            asked_by=_name(advice.asked_by),
            answered=advice.answered,
        ),
    )
