"""Information-sharing agreements, what came back from a disclosure, and what was told
without a referral, through the API: the same permissions and checks as the pages
(disclosures.access fetches; disclosures.agreements, .responses and .told change)."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from sharewise.api.disclosures.schemas import DisclosureOut, disclosure_out, name_of
from sharewise.api.inputs import Day, Input
from sharewise.disclosures import access, agreements, responses, told
from sharewise.disclosures.models import Agreement, Disclosure, Response

router = Router(tags=["Referrals and disclosures"])


class AgreementOut(Schema):
    id: int
    version: int
    replaces_id: int | None = Field(description="The version this one replaced")
    replaced_by_id: int | None = Field(description="The version that replaced this one")
    current: bool = Field(description="Neither replaced nor retired")
    partner_organisation: str = Field(description="Covers every team of this organisation")
    title: str
    purposes: list[str]
    categories: list[str] = Field(description="Empty: every category")
    article_6: list[str]
    article_9: list[str]
    schedule_1: list[str]
    secure_channel: str
    starts_on: date
    review_on: date
    contact_name: str
    contact_details: str
    document: str
    added_by: str | None
    added_at: datetime
    replaced_at: datetime | None
    retired_at: datetime | None


def agreement_out(a: Agreement) -> AgreementOut:
    try:
        replaced_by = a.replaced_by.pk
    except Agreement.DoesNotExist:
        replaced_by = None
    return AgreementOut(
        id=a.pk,
        version=a.version,
        replaces_id=a.replaces_id,
        replaced_by_id=replaced_by,
        current=a.is_current,
        **{f: getattr(a, f) for f in agreements.FIELDS},
        added_by=name_of(a.added_by),
        added_at=a.added_at,
        replaced_at=a.replaced_at,
        retired_at=a.retired_at,
    )


class AgreementIn(Input):
    partner_organisation: str = Field(max_length=200)
    title: str = Field(max_length=200)
    purposes: list[str] = Field(description="The referral templates' purposes it covers")
    categories: list[str] = Field([], description="Categories of information; empty: all")
    article_6: list[str] = Field([], description="Article 6 codes, as the sharing policy's")
    article_9: list[str] = Field([], description="Article 9 codes")
    schedule_1: list[str] = Field([], description="Schedule 1 condition codes")
    secure_channel: str = Field(max_length=200)
    starts_on: Day
    review_on: Day
    contact_name: str = Field(max_length=200)
    contact_details: str = Field("", max_length=200)
    document: str = Field("", max_length=500)


class AgreementChangeIn(Input):
    partner_organisation: str | None = Field(None, max_length=200)
    title: str | None = Field(None, max_length=200)
    purposes: list[str] | None = None
    categories: list[str] | None = None
    article_6: list[str] | None = None
    article_9: list[str] | None = None
    schedule_1: list[str] | None = None
    secure_channel: str | None = Field(None, max_length=200)
    starts_on: Day | None = None
    review_on: Day | None = None
    contact_name: str | None = Field(None, max_length=200)
    contact_details: str | None = Field(None, max_length=200)
    document: str | None = Field(None, max_length=500)


@router.get(
    "/agreements",
    response=list[AgreementOut],
    summary="Information-sharing agreements (team managers, leads, the officer)",
)
def list_agreements(
    request, past: bool = Query(False, description="true: replaced and retired versions")
):
    access.require(request.user, "disclosures.see_agreements")
    found = access.agreements_visible_to(request.user, current=not past).select_related("added_by")
    return [agreement_out(a) for a in found]


@router.post(
    "/agreements", response={201: AgreementOut}, summary="Add an agreement (safeguarding leads)"
)
def add_agreement(request, payload: AgreementIn):
    access.require(request.user, "disclosures.keep_agreements")
    return Status(201, agreement_out(agreements.add(request, payload.dict(), via="api")))


@router.get("/agreements/{agreement_id}", response=AgreementOut, summary="One agreement version")
def get_agreement(request, agreement_id: int):
    return agreement_out(access.get_agreement_for(request, agreement_id))


@router.patch(
    "/agreements/{agreement_id}",
    response=AgreementOut,
    summary="Change an agreement: a new version replaces it (safeguarding leads)",
    description="The version changed stays as it stood, for the disclosures that rested "
    "on it; the answer is the new version (the same one when nothing changed).",
)
def change_agreement(request, agreement_id: int, payload: AgreementChangeIn):
    agreement = access.get_agreement_for(request, agreement_id, keep=True)
    data = payload.dict(exclude_unset=True)
    return agreement_out(agreements.change(request, agreement, data, via="api"))


@router.post(
    "/agreements/{agreement_id}/retire",
    response=AgreementOut,
    summary="Retire an agreement: it no longer covers sharing (safeguarding leads)",
)
def retire_agreement(request, agreement_id: int):
    agreement = access.get_agreement_for(request, agreement_id, keep=True)
    return agreement_out(agreements.retire(request, agreement, via="api"))


class ResponseOut(Schema):
    id: int
    disclosure_id: int
    kind: str = Field(description="acknowledgement or outcome")
    current: bool = Field(description="Not replaced by a correction")
    acknowledged_at: datetime | None
    acknowledged_by: str
    their_reference: str
    enquiry_opened: bool | None = Field(description="Whether a section 42 enquiry opened")
    enquiry_opened_on: date | None
    enquiry_outcome: str = Field(
        description="risk_removed, risk_reduced, risk_remains, no_further_action, "
        "referred_elsewhere, or blank while open"
    )
    enquiry_closed_on: date | None
    person_wanted: str = Field(description="What the person wanted to happen")
    wanted_achieved: str = Field(description="fully, partly, not, or blank")
    notes: str
    replaces_id: int | None
    correction_reason: str
    recorded_by: str | None
    recorded_at: datetime


def response_out(r: Response, current: bool) -> ResponseOut:
    return ResponseOut(
        id=r.pk,
        disclosure_id=r.disclosure_id,
        kind=r.kind,
        current=current,
        **{f: getattr(r, f) for f in {*responses.ACKNOWLEDGEMENT, *responses.OUTCOME}},
        replaces_id=r.replaces_id,
        correction_reason=r.correction_reason,
        recorded_by=name_of(r.recorded_by),
        recorded_at=r.recorded_at,
    )


class ResponseIn(Input):
    kind: Literal["acknowledgement", "outcome"]
    acknowledged_at: datetime | None = None
    acknowledged_by: str = Field("", max_length=200)
    their_reference: str = Field("", max_length=200)
    enquiry_opened: bool | None = None
    enquiry_opened_on: Day | None = None
    enquiry_outcome: str = ""
    enquiry_closed_on: Day | None = None
    person_wanted: str = ""
    wanted_achieved: str = ""
    notes: str = ""
    correction_reason: str = Field(
        "", description="Needed when one of this kind is already recorded: why it changes"
    )


@router.get(
    "/disclosures/{disclosure_id}/responses",
    response=list[ResponseOut],
    summary="What came back from a disclosure: acknowledgements and outcomes, corrections too",
)
def list_responses(request, disclosure_id: int):
    disclosure = access.get_disclosure_for(request, disclosure_id, via="api")
    found = list(disclosure.responses.select_related("recorded_by"))
    replaced = {r.replaces_id for r in found if r.replaces_id}
    return [response_out(r, r.pk not in replaced) for r in found]


@router.post(
    "/disclosures/{disclosure_id}/responses",
    response={201: ResponseOut},
    summary="Record the acknowledgement or outcome of a disclosure (team managers, leads)",
    description="When one of that kind is already recorded, this corrects it: give "
    "correction_reason; the earlier entry stays in the history.",
)
def record_response(request, disclosure_id: int, payload: ResponseIn):
    disclosure = access.get_disclosure_for(
        request, disclosure_id, action="opened disclosure", via="api"
    )
    data = payload.dict(exclude={"kind", "correction_reason"})
    r = responses.record(
        request,
        disclosure,
        payload.kind,
        data,
        correction_reason=payload.correction_reason,
        via="api",
    )
    return Status(201, response_out(r, True))


class ToldIn(Input):
    partner_id: int | None = Field(None, description="Who was told, from the directory")
    recipient_organisation: str = Field("", max_length=200)
    recipient_role: str = Field("", max_length=200)
    recipient_name: str = Field("", max_length=200)
    channel: Literal["phone", "in_person", "video", "other"]
    told_at: datetime
    purpose: str = Field(description="One of the referral templates' purposes")
    categories: list[str] = []
    what_said: str = Field(description="What was told, as exactly as possible")
    no_agreement_reason: str = Field(
        "", description="Why it was lawful, when no current agreement covers it"
    )


@router.post(
    "/sharing-decisions/{decision_id}/told",
    response={201: DisclosureOut},
    summary="Record what was told to someone under a decision to share (managers, leads)",
    description="A phone call or conversation, recorded as a disclosure of what was said, "
    "to whom, how and when. Refused (422) under a decision not to share, or without a "
    "current agreement unless no_agreement_reason says why it was lawful.",
)
def record_told(request, decision_id: int, payload: ToldIn):
    access.require(request.user, "disclosures.record_told")
    decision = access.get_decision_for_told(request, decision_id, via="api")
    disclosure = told.record_told(request, decision, payload.dict(), via="api")
    return Status(
        201,
        disclosure_out(
            Disclosure.objects.select_related(*access.DISCLOSURE_RELATED).get(pk=disclosure.pk)
        ),
    )
