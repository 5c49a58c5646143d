"""The decision framework: what it recommends for a set of answers (records nothing
but the read of the person's record)."""

from ninja import Field, Router, Schema

from sharewise.api.inputs import Input
from sharewise.api.sharing.common import check_answers, check_concerns, require
from sharewise.people.access import get_person_for
from sharewise.policy import store
from sharewise.sharing import decisions, framework

router = Router(tags=["Sharing decisions"])


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
    require(
        request.user,
        "sharing.use_framework",
        "Only care workers, team managers and safeguarding leads use the framework.",
    )
    person = get_person_for(
        request, payload.person_id, action="assessed sharing decision", via="api"
    )
    answers = payload.answers.dict(exclude_none=True)
    check_answers(person, answers)
    concern_ids = check_concerns(request.user, payload.concern_ids)
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
