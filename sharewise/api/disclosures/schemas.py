"""What the referrals and disclosures API takes and answers, and how a referral,
disclosure or partner is written out."""

from datetime import datetime

from django.urls import reverse
from ninja import Field, Schema

from sharewise.api.inputs import Input
from sharewise.disclosures import content as contentlib
from sharewise.disclosures.models import Disclosure, Partner, Referral
from sharewise.disclosures.referrals import agreement_cover
from sharewise.organisations.models import staff_name


def name_of(user) -> str | None:
    return staff_name(user) or None


class ReferralIn(Input):
    decision_id: int = Field(description="The signed decision to share the referral rests on")
    template: str = Field("", description="A referral template's code, e.g. local_authority_adults")
    purpose: str = Field("", description="One of the template's purposes (default: its first)")


class FieldOut(Schema):
    code: str
    label: str
    section: str
    in_minimum: bool
    available: bool = Field(description="Sharewise holds a value, or the sender types it")
    included: bool
    reason: str = Field(description="Why it is in or out")
    why: str = Field(description="The sender's reason, when they changed the default")
    value: str | None = Field(description="What would be sent (redacted); only when included")


class SpanOut(Schema):
    field: str
    start: int
    end: int
    key: str
    label: str = Field(description="What the recipient reads in its place")
    text: str = Field(description="The words found, before redaction")
    applied: bool = Field(description="Whether they are redacted now (false once restored)")


class DeliveryOut(Schema):
    started_at: datetime
    finished_at: datetime | None
    to: str
    outcome: str = Field(description="sending, accepted (by the mail server) or failed")
    error: str = Field(description="What the mail server said, when it failed")


class ReferralOut(Schema):
    id: int
    person_id: int
    decision_id: int
    template: str
    purpose: str
    categories: list[str]
    status: str = Field(
        description="draft, awaiting_dpo, final (frozen, not sent yet: the mail server has "
        "not accepted it, or its submission is not confirmed) or sent"
    )
    sent: bool = Field(description="Whether it has left the organisation")
    disclosure_id: int | None = Field(description="The disclosure, once sent")
    partner_id: int | None = Field(description="The partner it goes to, from the directory")
    recipient_organisation: str
    recipient_role: str
    recipient_name: str
    recipient_contact: str
    channel: str
    fields: list[FieldOut]
    redactions: list[SpanOut] = Field(
        description="Other people's names found in the free text being sent"
    )
    choices: list[dict] = Field(
        description="Every redaction the sender added or restored, with the reason"
    )
    inputs: dict = Field(description="What the sender typed for the fields they fill in")
    problems: dict[str, str] = Field(description="What to fix before it can be sent")
    needs_dpo: str = Field(
        description="Why the data protection officer must countersign first, or blank"
    )
    beyond: list[str] = Field(description="Fields included beyond the minimum")
    deliveries: list[DeliveryOut] = Field(description="Each attempt to email it, newest first")
    agreement_id: int | None = Field(
        description="The current information-sharing agreement covering it, if any"
    )
    agreement_problem: str = Field(description="Why no current agreement covers it, or blank")
    no_agreement_reason: str = Field(
        description="Why sharing is lawful without a current agreement (needed to send then)"
    )
    previewed: bool = Field(description="The last preview is what would be sent now")
    preview_sha256: str | None = Field(description="SHA-256 of the last preview's PDF")


def deliveries_of(referral: Referral) -> list[DeliveryOut]:
    return [
        DeliveryOut(
            started_at=d.started_at,
            finished_at=d.finished_at,
            to=d.to,
            outcome=d.outcome,
            error=d.error,
        )
        for d in referral.deliveries.all()
    ]


def _spans(built) -> list[SpanOut]:
    """Other people's names found in the free text, and whether each is redacted now."""
    spans = []
    for code, found in built.found.items():
        text = built.originals.get(code, "")
        applied = built.spans.get(code, [])
        for s in found:
            spans.append(
                SpanOut(
                    field=code,
                    start=s.start,
                    end=s.end,
                    key=s.key,
                    label=s.label,
                    text=text[s.start : s.end],
                    applied=any(a.start <= s.start and s.end <= a.end for a in applied),
                )
            )
    return spans


def referral_out(referral: Referral) -> ReferralOut:
    built = contentlib.build(referral)
    covering, cover = agreement_cover(referral)
    selection = built.selection
    return ReferralOut(
        id=referral.pk,
        person_id=referral.person_id,
        decision_id=referral.decision_id,
        template=referral.template,
        purpose=referral.purpose,
        categories=list(referral.categories),
        status=referral.status,
        sent=referral.status == Referral.Status.SENT,
        disclosure_id=Disclosure.objects.filter(referral=referral)
        .values_list("pk", flat=True)
        .first(),
        partner_id=referral.partner_id,
        recipient_organisation=referral.recipient_organisation,
        recipient_role=referral.recipient_role,
        recipient_name=referral.recipient_name,
        recipient_contact=referral.recipient_contact,
        channel=referral.channel,
        fields=[
            FieldOut(
                code=f.code,
                label=f.label,
                section=f.section,
                in_minimum=f.in_minimum,
                available=f.available,
                included=f.included,
                reason=f.reason,
                why=f.why,
                value=built.values.get(f.code, "") if f.included else None,
            )
            for f in selection.fields
        ],
        redactions=_spans(built),
        choices=list(referral.redactions),
        inputs=dict(referral.inputs),
        problems=dict(built.problems),
        needs_dpo=selection.needs_dpo,
        beyond=list(selection.beyond),
        deliveries=deliveries_of(referral),
        agreement_id=covering.pk if covering else None,
        agreement_problem=cover.words,
        no_agreement_reason=referral.no_agreement_reason,
        previewed=referral.preview_json is not None
        and referral.preview_json == built.content(referral),
        preview_sha256=referral.preview_sha256 or None,
    )


class ChoiceIn(Input):
    include: bool
    why: str = Field("", description="Needed (at least 3 words) when changing the default")


class RedactionIn(Input):
    field: str
    start: int | None = None
    end: int | None = None
    action: str = Field(description="redact or restore")
    reason: str = Field("", description="Needed (at least 2 words)")


class ReferralChangeIn(Input):
    choices: dict[str, ChoiceIn] = Field(
        {}, description="Include or leave out fields: {field: {include, why}}"
    )
    inputs: dict[str, str] = Field({}, description="The fields the sender fills in: {field: text}")
    redactions: list[RedactionIn] = Field(
        [], description="Redact more of the free text, or restore a name Sharewise redacted"
    )
    partner_id: int | None = Field(
        None, description="Who it goes to: a partner from the directory (GET /partners)"
    )
    no_agreement_reason: str | None = Field(
        None, description="Why sharing is lawful when no current agreement covers it"
    )


class PreviewOut(Schema):
    content: dict = Field(description="The structured content, as the recipient gets it")
    sha256: str = Field(description="SHA-256 of the PDF: what Send sends")
    problems: dict[str, list[str]] = Field(description="What stops it being sent now")


class DisclosureSummary(Schema):
    id: int
    kind: str = Field(description="referral, told or subject_access")
    sent_at: datetime = Field(
        description="When the mail server accepted it, or when its sender says it was submitted"
    )
    delivery: str = Field(
        description="email (accepted by the mail server), confirmed (submitted on a "
        "portal or by phone, as the sender confirmed) or recorded (before delivery was "
        "tracked)"
    )
    template_title: str
    recipient_organisation: str
    recipient_role: str
    channel: str
    sent_fields: int = Field(description="How many fields were sent")
    beyond_minimum: int = Field(description="How many of them were beyond the minimum")
    sha256: str


class DisclosureLogEntry(DisclosureSummary):
    person_id: int
    template: str
    sent_by: str


class DisclosurePage(Schema):
    count: int
    page: int
    pages: int
    results: list[DisclosureLogEntry]


class DisclosureOut(Schema):
    id: int
    kind: str = Field(description="referral, told (by phone or in person) or subject_access")
    person_id: int
    decision_id: int | None
    referral_id: int | None
    template: str
    template_title: str
    content: dict
    sha256: str = Field(description="SHA-256 of the PDF's bytes, as sent")
    minimum_fields: list[str]
    sent_fields: list[str]
    justifications: dict[str, str] = Field(description="Why each change from the minimum")
    redactions: list[dict]
    beyond_minimum: int
    recipient_organisation: str
    recipient_role: str
    recipient_name: str
    recipient_contact: str
    channel: str
    partner_id: int | None
    sent_by: str
    sent_at: datetime
    delivery: str
    delivered_to: str = Field(description="The address, portal or number it went to")
    submitted_by: str = Field(description="Who submitted it on a portal or by phone")
    receipt_reference: str = Field(description="The reference the partner gave")
    confirmed_by: str | None
    dpo_approved_by: str | None
    agreement_id: int | None = Field(description="The agreement version it rested on")
    no_agreement_reason: str = Field(description="Why it was lawful without an agreement")
    pdf_url: str | None = Field(
        description="The frozen PDF, downloadable with the same token (none for what was told)"
    )


def summary(d: Disclosure) -> dict:
    return {
        "id": d.pk,
        "kind": d.kind,
        "sent_at": d.sent_at,
        "delivery": d.delivery,
        "template_title": d.template_title,
        "recipient_organisation": d.recipient_organisation,
        "recipient_role": d.recipient_role,
        "channel": d.channel,
        "sent_fields": len(d.sent_fields),
        "beyond_minimum": d.beyond_minimum,
        "sha256": d.sha256,
    }


def disclosure_out(d: Disclosure) -> DisclosureOut:
    return DisclosureOut(
        id=d.pk,
        kind=d.kind,
        person_id=d.person_id,
        decision_id=d.decision_id,
        referral_id=d.referral_id,
        template=d.template,
        template_title=d.template_title,
        content=d.content,
        sha256=d.sha256,
        minimum_fields=list(d.minimum_fields),
        sent_fields=list(d.sent_fields),
        justifications=dict(d.justifications),
        redactions=list(d.redactions),
        beyond_minimum=d.beyond_minimum,
        recipient_organisation=d.recipient_organisation,
        recipient_role=d.recipient_role,
        recipient_name=d.recipient_name,
        recipient_contact=d.recipient_contact,
        channel=d.channel,
        partner_id=d.partner_id,
        sent_by=name_of(d.sent_by),
        sent_at=d.sent_at,
        delivery=d.delivery,
        delivered_to=d.delivered_to,
        submitted_by=d.submitted_by_name,
        receipt_reference=d.receipt_reference,
        confirmed_by=name_of(d.confirmed_by),
        dpo_approved_by=name_of(d.dpo_approved_by),
        agreement_id=d.agreement_id,
        no_agreement_reason=d.no_agreement_reason,
        pdf_url=reverse("api:disclosure_pdf_file", args=[d.pk]) if d.pdf else None,
    )


class SendingOut(Schema):
    referral_id: int
    status: str = Field(description="final: not sent yet")
    sent: bool = Field(description="Always false here: it has not left the organisation")
    message: str = Field(description="What happened, and what to do next")
    error: str = Field(description="What the mail server said, when it refused")


class SubmittedIn(Input):
    submitted_at: datetime = Field(description="When it was submitted or phoned through")
    submitted_by: str = Field(max_length=200, description="Who submitted it")
    reference: str = Field(max_length=200, description="The reference the partner gave")


class PartnerOut(Schema):
    id: int
    name: str
    team: str
    contact_name: str
    channel: str = Field(description="secure_email, portal or phone")
    email: str
    portal_url: str
    phone: str
    notes: str
    retired_at: datetime | None


class PartnerIn(Input):
    name: str = Field(max_length=200)
    team: str = Field(max_length=200)
    contact_name: str = Field("", max_length=200)
    channel: str = Field(description="secure_email, portal or phone")
    email: str = Field("", max_length=254)
    portal_url: str = Field("", max_length=500)
    phone: str = Field("", max_length=40)
    notes: str = ""


class PartnerChangeIn(Input):
    name: str | None = Field(None, max_length=200)
    team: str | None = Field(None, max_length=200)
    contact_name: str | None = Field(None, max_length=200)
    channel: str | None = None
    email: str | None = Field(None, max_length=254)
    portal_url: str | None = Field(None, max_length=500)
    phone: str | None = Field(None, max_length=40)
    notes: str | None = None


def partner_out(p: Partner) -> PartnerOut:
    return PartnerOut(
        id=p.pk,
        name=p.name,
        team=p.team,
        contact_name=p.contact_name,
        channel=p.channel,
        email=p.email,
        portal_url=p.portal_url,
        phone=p.phone,
        notes=p.notes,
        retired_at=p.retired_at,
    )


class ReferralSummary(Schema):
    id: int
    person_id: int
    decision_id: int
    template: str
    purpose: str
    status: str = Field(description="draft, awaiting_dpo, final or sent")
    partner_id: int | None
    recipient_organisation: str
    channel: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    disclosure_id: int | None = Field(description="The disclosure, once sent")


def referral_summary(r: Referral, disclosure_ids: dict[int, int]) -> ReferralSummary:
    return ReferralSummary(
        id=r.pk,
        person_id=r.person_id,
        decision_id=r.decision_id,
        template=r.template,
        purpose=r.purpose,
        status=r.status,
        partner_id=r.partner_id,
        recipient_organisation=r.recipient_organisation,
        channel=r.channel,
        created_by=name_of(r.created_by),
        created_at=r.created_at,
        updated_at=r.updated_at,
        disclosure_id=disclosure_ids.get(r.pk),
    )


class ReferralDeliveryOut(Schema):
    referral_id: int
    status: str = Field(description="draft, awaiting_dpo, final (on its way) or sent")
    sent: bool = Field(description="Whether it has left the organisation")
    channel: str = Field(description="secure_email, portal or phone")
    recipient_contact: str = Field(description="The address, portal or number it goes to")
    preview_sha256: str | None = Field(description="SHA-256 of the PDF being sent")
    disclosure_id: int | None = Field(description="The disclosure, once sent")
    attempts: list[DeliveryOut] = Field(description="Each attempt to email it, newest first")
    next_step: str = Field(description="What to do now")


def delivery_out(r: Referral) -> ReferralDeliveryOut:
    disclosure_id = Disclosure.objects.filter(referral=r).values_list("pk", flat=True).first()
    if r.status == Referral.Status.SENT:
        step = "Nothing: it has been sent."
    elif r.status != Referral.Status.FINAL:
        step = "Preview it, then send it: it is still being built."
    elif r.channel == Partner.Channel.SECURE_EMAIL:
        step = "The mail server has not accepted it yet: send it again."
    else:
        where = "on the portal " if r.channel == Partner.Channel.PORTAL else "by phone on "
        step = (
            f"Submit the PDF {where}{r.recipient_contact}, then confirm when, by whom and "
            "with what reference."
        )
    return ReferralDeliveryOut(
        referral_id=r.pk,
        status=r.status,
        sent=r.status == Referral.Status.SENT,
        channel=r.channel,
        recipient_contact=r.recipient_contact,
        preview_sha256=r.preview_sha256 or None,
        disclosure_id=disclosure_id,
        attempts=deliveries_of(r),
        next_step=step,
    )


class ApprovalIn(Input):
    note: str = Field(
        description="Why sending more than the minimum is justified here (at least 3 words)"
    )


class ContactDetailsOut(Schema):
    name: str
    email: str = Field(description="Kept by the administrator: password resets go to it")
    job_title: str = Field(description="Printed on your referrals; blank: your role is used")
    phone: str = Field(description="The number a partner calls to discuss your referral")


class ContactDetailsIn(Input):
    job_title: str = Field("", max_length=200)
    phone: str = Field(max_length=40)
