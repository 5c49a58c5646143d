"""Consent records and capacity assessments: record them, list them (by person, date
range) and read one back, with the same scope and permissions as the pages."""

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status

from sharewise.api.inputs import Input
from sharewise.api.sharing.common import (
    ListFilters,
    aware,
    check_concerns,
    listed,
    name,
    page_of,
    require,
)
from sharewise.people.access import get_person_for
from sharewise.sharing import access, decisions
from sharewise.sharing.models import CapacityAssessment, ConsentRecord

router = Router(tags=["Consent and capacity"])


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


class ConsentPage(Schema):
    count: int
    page: int
    pages: int
    results: list[ConsentOut]


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
        asked_by=name(consent.asked_by),
        concern_ids=sorted(c.pk for c in consent.concerns.all()),
    )


@router.post(
    "/consents",
    response={201: ConsentOut},
    summary="Record whether a person consents to information about them being shared",
)
def record_consent(request, payload: ConsentIn):
    require(
        request.user,
        "sharing.record_consent",
        "Only care workers, team managers and safeguarding leads record consent.",
    )
    person = get_person_for(
        request, payload.person_id, action="opened to record consent", via="api"
    )
    data = payload.dict(exclude={"person_id"})
    data["asked_at"] = aware(payload.asked_at)
    data["concern_ids"] = check_concerns(request.user, payload.concern_ids)
    consent = decisions.record_consent(request, person, data, via="api")
    consent = ConsentRecord.objects.select_related("asked_by").get(pk=consent.pk)
    return Status(201, _consent_out(consent))


@router.get(
    "/consents",
    response=ConsentPage,
    summary="Consent records about people you may see",
    description="Newest first; from and to filter by when consent was asked. Each person "
    "listed is written to the audit trail.",
)
def list_consents(request, filters: Query[ListFilters]):
    records = (
        access.consents_visible_to(request.user)
        .select_related("asked_by")
        .prefetch_related("concerns")
    )
    shown, paginator, current = listed(
        request, records, filters, "asked_at", "listed consent records"
    )
    return page_of(ConsentPage, [_consent_out(c) for c in shown], paginator, current)


@router.get("/consents/{consent_id}", response=ConsentOut, summary="One consent record")
def get_consent(request, consent_id: int):
    return _consent_out(access.get_consent_for(request, consent_id, via="api"))


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


class CapacityDetailOut(CapacityOut):
    help_given: str
    can_understand: bool | None
    can_retain: bool | None
    can_use_or_weigh: bool | None
    can_communicate: bool | None
    impairment: bool | None
    impairment_detail: str
    evidence: str
    best_interests_reasons: str
    persons_wishes: str
    consulted: str


class CapacityPage(Schema):
    count: int
    page: int
    pages: int
    results: list[CapacityOut]


def _capacity_fields(a: CapacityAssessment) -> dict:
    return {
        "id": a.pk,
        "person_id": a.person_id,
        "decision": a.decision,
        "assessed_at": a.assessed_at,
        "assessor": name(a.assessor),
        "lacks_capacity": a.lacks_capacity,
        "conclusion": a.conclusion,
        "best_interests": a.best_interests,
    }


@router.post(
    "/capacity-assessments",
    response={201: CapacityOut},
    summary="Record a Mental Capacity Act assessment for one decision",
)
def record_capacity(request, payload: CapacityIn):
    require(
        request.user,
        "sharing.assess_capacity",
        "Only care workers, team managers and safeguarding leads assess capacity.",
    )
    person = get_person_for(
        request, payload.person_id, action="opened to assess capacity", via="api"
    )
    data = payload.dict(exclude={"person_id"})
    data["assessed_at"] = aware(payload.assessed_at)
    assessment = decisions.record_capacity(request, person, data, via="api")
    assessment = CapacityAssessment.objects.select_related("assessor").get(pk=assessment.pk)
    return Status(201, CapacityOut(**_capacity_fields(assessment)))


@router.get(
    "/capacity-assessments",
    response=CapacityPage,
    summary="Capacity assessments about people you may see",
    description="Newest first; from and to filter by when the assessment was made. Each "
    "person listed is written to the audit trail.",
)
def list_capacity_assessments(request, filters: Query[ListFilters]):
    records = access.assessments_visible_to(request.user).select_related("assessor")
    shown, paginator, current = listed(
        request, records, filters, "assessed_at", "listed capacity assessments"
    )
    results = [CapacityOut(**_capacity_fields(a)) for a in shown]
    return page_of(CapacityPage, results, paginator, current)


@router.get(
    "/capacity-assessments/{assessment_id}",
    response=CapacityDetailOut,
    summary="One capacity assessment, all of its record",
)
def get_capacity_assessment(request, assessment_id: int):
    a = access.get_assessment_for(request, assessment_id, via="api")
    return CapacityDetailOut(
        **_capacity_fields(a),
        help_given=a.help_given,
        can_understand=a.can_understand,
        can_retain=a.can_retain,
        can_use_or_weigh=a.can_use_or_weigh,
        can_communicate=a.can_communicate,
        impairment=a.impairment,
        impairment_detail=a.impairment_detail,
        evidence=a.evidence,
        best_interests_reasons=a.best_interests_reasons,
        persons_wishes=a.persons_wishes,
        consulted=a.consulted,
    )
