"""Referrals and disclosures: building a referral from a decision to share, previewing
and sending it, and the disclosure log. The same access rules and changes as the pages
(sharewise.disclosures.referrals does the work; these handlers only fetch and answer)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from sharewise.api.inputs import Day, Input
from sharewise.audittrail import trail
from sharewise.disclosures import content as contentlib
from sharewise.disclosures import partners, referrals
from sharewise.disclosures.forms import PartnerForm
from sharewise.disclosures.models import Disclosure, Partner, Referral, referrals_for
from sharewise.organisations import stepup
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import staff_name
from sharewise.people.access import get_person_for
from sharewise.people.models import Person
from sharewise.security import throttle
from sharewise.sharing.models import SharingDecision

router = Router(tags=["Referrals and disclosures"])

PAGE_SIZE = 50


def _name(user) -> str | None:
    return staff_name(user) or None


def _require(user, perm, message):
    if not user.has_perm(perm):
        raise PermissionDenied(message)


def _require_builder(user):
    _require(
        user,
        "disclosures.build_referral",
        "Only team managers and safeguarding leads build and send referrals.",
    )


def _get_referral_for(request, referral_id, action="opened referral") -> Referral:
    """A referral the caller may work on (their own, or any for a lead or the data
    protection officer, about people they may see); 404 otherwise. The read of the
    person goes to the trail."""
    referral = (
        referrals_for(request.user)
        .select_related("person", "decision", "organisation", "policy_version", "created_by")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None or not (
        request.user.has_perm("disclosures.build_referral")
        or request.user.has_perm("disclosures.approve_referral")
    ):
        raise Http404("No such referral")
    get_person_for(request, referral.person_id, action=action, via="api")
    return referral


def _get_disclosure_for(request, disclosure_id, action="viewed disclosure") -> Disclosure:
    if not request.user.has_perm("disclosures.see_disclosures"):
        raise Http404("No such disclosure")
    disclosure = (
        Disclosure.objects.visible_to(request.user)
        .select_related("sent_by", "dpo_approved_by", "confirmed_by")
        .filter(pk=disclosure_id)
        .first()
    )
    if disclosure is None:
        raise Http404("No such disclosure")
    get_person_for(request, disclosure.person_id, action=action, via="api")
    return disclosure


# Referrals ---------------------------------------------------------------------------


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
    previewed: bool = Field(description="The last preview is what would be sent now")
    preview_sha256: str | None = Field(description="SHA-256 of the last preview's PDF")


def _referral_out(referral: Referral) -> ReferralOut:
    built = contentlib.build(referral)
    selection = built.selection
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
        redactions=spans,
        choices=list(referral.redactions),
        inputs=dict(referral.inputs),
        problems=dict(built.problems),
        needs_dpo=selection.needs_dpo,
        beyond=list(selection.beyond),
        deliveries=[
            DeliveryOut(
                started_at=d.started_at,
                finished_at=d.finished_at,
                to=d.to,
                outcome=d.outcome,
                error=d.error,
            )
            for d in referral.deliveries.all()
        ],
        previewed=referral.preview_json is not None
        and referral.preview_json == built.content(referral),
        preview_sha256=referral.preview_sha256 or None,
    )


def _fresh(referral_id) -> Referral:
    return Referral.objects.select_related(
        "person", "decision", "organisation", "policy_version", "created_by"
    ).get(pk=referral_id)


@router.post(
    "/referrals",
    response={201: ReferralOut},
    summary="Start a referral from a signed decision to share (team managers, leads)",
    description="The referral starts from the template's minimum for its purpose and the "
    "concerns' categories; other people's names are found and redacted from free text.",
)
def start_referral(request, payload: ReferralIn):
    _require_builder(request.user)
    decision = (
        SharingDecision.objects.visible_to(request.user).filter(pk=payload.decision_id).first()
    )
    if decision is None:
        raise Http404("No such decision")
    get_person_for(request, decision.person_id, action="opened decision to refer", via="api")
    referral = referrals.start(request, decision, payload.template, payload.purpose, via="api")
    return Status(201, _referral_out(_fresh(referral.pk)))


@router.get(
    "/referrals/{referral_id}",
    response=ReferralOut,
    summary="A referral being built: each field in or out and why, and the names redacted",
)
def get_referral(request, referral_id: int):
    return _referral_out(_get_referral_for(request, referral_id, action="viewed referral"))


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


@router.patch(
    "/referrals/{referral_id}",
    response=ReferralOut,
    summary="Change a referral: fields in or out (with reasons), inputs, redactions, recipient",
)
def change_referral(request, referral_id: int, payload: ReferralChangeIn):
    referral = _get_referral_for(request, referral_id, action="opened referral to change")
    _require_builder(request.user)
    referrals.change(
        request,
        referral,
        choices={code: c.dict() for code, c in payload.choices.items()},
        inputs=dict(payload.inputs),
        redactions=[r.dict() for r in payload.redactions],
        partner=payload.partner_id,
        via="api",
    )
    return _referral_out(_fresh(referral.pk))


class PreviewOut(Schema):
    content: dict = Field(description="The structured content, as the recipient gets it")
    sha256: str = Field(description="SHA-256 of the PDF: what Send sends")
    problems: dict[str, list[str]] = Field(description="What stops it being sent now")


@router.get(
    "/referrals/{referral_id}/preview",
    response=PreviewOut,
    summary="Preview the referral (JSON, or the PDF itself): what is sent is the last preview",
    description="Add ?format=pdf for the PDF's bytes; its SHA-256 is the sha256 given here.",
)
def preview_referral(
    request,
    referral_id: int,
    format: str = Query("json", description="json or pdf"),
):
    if format not in ("json", "pdf"):
        raise ValidationError({"format": ["Use json or pdf"]})
    referral = _get_referral_for(request, referral_id, action="previewed referral")
    if format == "pdf":
        throttle.check_export(request)
    referral, built = referrals.preview(request, referral, via="api")
    if format == "pdf":
        response = HttpResponse(bytes(referral.preview_pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="referral-{referral.pk}.pdf"'
        return response
    return PreviewOut(
        content=referral.preview_json,
        sha256=referral.preview_sha256,
        problems=referrals.send_problems(referral, built),
    )


# Disclosures -------------------------------------------------------------------------


class DisclosureSummary(Schema):
    id: int
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
    person_id: int
    decision_id: int
    referral_id: int
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
    pdf_url: str


def _summary(d: Disclosure) -> dict:
    return {
        "id": d.pk,
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


def _disclosure_out(d: Disclosure) -> DisclosureOut:
    return DisclosureOut(
        id=d.pk,
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
        sent_by=_name(d.sent_by),
        sent_at=d.sent_at,
        delivery=d.delivery,
        delivered_to=d.delivered_to,
        submitted_by=d.submitted_by_name,
        receipt_reference=d.receipt_reference,
        confirmed_by=_name(d.confirmed_by),
        dpo_approved_by=_name(d.dpo_approved_by),
        pdf_url=reverse("disclosure_pdf", args=[d.pk]),
    )


class SendingOut(Schema):
    referral_id: int
    status: str = Field(description="final: not sent yet")
    sent: bool = Field(description="Always false here: it has not left the organisation")
    message: str = Field(description="What happened, and what to do next")
    error: str = Field(description="What the mail server said, when it refused")


@router.post(
    "/referrals/{referral_id}/send",
    response={201: DisclosureOut, 202: SendingOut, 502: SendingOut},
    summary="Send the referral as last previewed (team managers, leads)",
    description="Refused, naming what to fix, unless the last preview is what would be "
    "sent now, every change from the minimum has a reason, a partner is chosen and any "
    "countersignature needed has been given. It becomes final (it cannot change), then: "
    "by secure email, it is emailed now: 201 with the disclosure once the mail server "
    "accepted it, 502 with the mail server's error when not (call again to retry). By "
    "portal or phone: 202, submit it yourself, then confirm with "
    "POST /referrals/{id}/confirm-submitted.",
)
def send_referral(request, referral_id: int):
    referral = _get_referral_for(request, referral_id, action="opened referral to send")
    _require_builder(request.user)
    stepup.require_for_api(request, "send a referral")
    sending = referrals.send(request, referral, via="api")
    if sending.sent:
        disclosure = Disclosure.objects.select_related(
            "sent_by", "dpo_approved_by", "confirmed_by"
        ).get(pk=sending.disclosure.pk)
        return Status(201, _disclosure_out(disclosure))
    r = sending.referral
    if sending.error:
        return Status(
            502,
            SendingOut(
                referral_id=r.pk,
                status=r.status,
                sent=False,
                message="Not sent: the mail server did not accept it. Try again.",
                error=sending.error,
            ),
        )
    where = "on the portal " if r.channel == "portal" else "by phone on "
    return Status(
        202,
        SendingOut(
            referral_id=r.pk,
            status=r.status,
            sent=False,
            message=f"Not sent yet: download the PDF and submit it {where}"
            f"{r.recipient_contact}, then confirm when, by whom and with what reference.",
            error="",
        ),
    )


class SubmittedIn(Input):
    submitted_at: datetime = Field(description="When it was submitted or phoned through")
    submitted_by: str = Field(max_length=200, description="Who submitted it")
    reference: str = Field(max_length=200, description="The reference the partner gave")


@router.post(
    "/referrals/{referral_id}/confirm-submitted",
    response={201: DisclosureOut},
    summary="Confirm a portal or phone referral was submitted: only then is it sent",
)
def confirm_submitted(request, referral_id: int, payload: SubmittedIn):
    referral = _get_referral_for(request, referral_id, action="confirmed referral submitted")
    _require_builder(request.user)
    stepup.require_for_api(request, "confirm a referral was submitted")
    submitted_at = payload.submitted_at
    if timezone.is_naive(submitted_at):
        submitted_at = timezone.make_aware(submitted_at)
    disclosure = referrals.confirm_submitted(
        request,
        referral,
        submitted_at=submitted_at,
        submitted_by=payload.submitted_by,
        reference=payload.reference,
        via="api",
    )
    disclosure = Disclosure.objects.select_related(
        "sent_by", "dpo_approved_by", "confirmed_by"
    ).get(pk=disclosure.pk)
    return Status(201, _disclosure_out(disclosure))


# The partner directory ------------------------------------------------------------------


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


def _partner_out(p: Partner) -> PartnerOut:
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


def _require_keeper(user):
    _require(
        user, "disclosures.keep_partners", "Only safeguarding leads keep the partner directory."
    )


def _partner_data(data: dict) -> dict:
    """Checked as the page's form checks it; 422 naming the field otherwise."""
    form = PartnerForm({k: v or "" for k, v in data.items()})
    if not form.is_valid():
        raise ValidationError({name: list(problems) for name, problems in form.errors.items()})
    return form.cleaned_data


def _get_partner(request, partner_id) -> Partner:
    partner = (
        partners.directory_for(request.user).filter(pk=partner_id).first()
        or partners.directory_for(request.user, retired=True).filter(pk=partner_id).first()
    )
    if partner is None:
        raise Http404("No such partner")
    return partner


@router.get(
    "/partners",
    response=list[PartnerOut],
    summary="The partner directory: where referrals go and how (managers, leads, officer)",
)
def list_partners(request, retired: bool = Query(False, description="true: retired ones")):
    _require(
        request.user,
        "disclosures.see_partners",
        "Only team managers, safeguarding leads and the data protection officer see the "
        "partner directory.",
    )
    return [_partner_out(p) for p in partners.directory_for(request.user, retired=retired)]


@router.post("/partners", response={201: PartnerOut}, summary="Add a partner (safeguarding leads)")
def add_partner(request, payload: PartnerIn):
    _require_keeper(request.user)
    return Status(
        201, _partner_out(partners.add(request, _partner_data(payload.dict()), via="api"))
    )


@router.patch(
    "/partners/{partner_id}", response=PartnerOut, summary="Change a partner (safeguarding leads)"
)
def change_partner(request, partner_id: int, payload: PartnerChangeIn):
    _require_keeper(request.user)
    partner = _get_partner(request, partner_id)
    if partner.retired_at is not None:
        raise ValidationError({"partner": ["This partner is retired: it cannot change"]})
    current = {f: getattr(partner, f) for f in partners.FIELDS}
    data = _partner_data({**current, **payload.dict(exclude_unset=True)})
    return _partner_out(partners.change(request, partner, data, via="api"))


@router.post(
    "/partners/{partner_id}/retire",
    response=PartnerOut,
    summary="Retire a partner: no new referrals go to them (safeguarding leads)",
)
def retire_partner(request, partner_id: int):
    _require_keeper(request.user)
    return _partner_out(partners.retire(request, _get_partner(request, partner_id), via="api"))


@router.get(
    "/disclosures",
    response=DisclosurePage,
    summary="The disclosure log: what left the organisation (leads, data protection officer)",
    description="Newest first, 50 to a page. since: sent on or after this date (YYYY-MM-DD).",
)
def list_disclosures(
    request,
    template: str | None = Query(None, description="A template's code"),
    person_id: int | None = Query(None, description="Disclosures about this person's id"),
    beyond_minimum: bool | None = Query(
        None, description="true: only those beyond the minimum; false: only those within it"
    ),
    since: Day | None = None,
    page: int = Query(1, ge=1),
):
    _require(
        request.user,
        "disclosures.see_log",
        "Only safeguarding leads and the data protection officer see the disclosure log.",
    )
    found = Disclosure.objects.visible_to(request.user).select_related("sent_by")
    if template:
        found = found.filter(template=template)
    if person_id is not None:
        person = Person.objects.filter(pk=person_id).first()
        found = found.filter(person_id__in=person.record_ids() if person else [person_id])
    if beyond_minimum is True:
        found = found.filter(beyond_minimum__gt=0)
    elif beyond_minimum is False:
        found = found.filter(beyond_minimum=0)
    if since is not None:
        found = found.filter(sent_at__date__gte=since)
    paginator = Paginator(found.order_by("-sent_at", "-id"), PAGE_SIZE)
    current = paginator.get_page(page)
    shown = list(current.object_list)
    # Naming people in a list is a read of their records: one entry each, as the page does.
    trail.record_reads(
        request,
        "listed disclosures",
        sorted({d.person_id for d in shown}),
        organisation_id=scope_for(request.user).organisation_id,
        detail={"via": "api"},
    )
    return DisclosurePage(
        count=paginator.count,
        page=current.number,
        pages=paginator.num_pages,
        results=[
            DisclosureLogEntry(
                **_summary(d), person_id=d.person_id, template=d.template, sent_by=_name(d.sent_by)
            )
            for d in shown
        ],
    )


@router.get(
    "/disclosures/{disclosure_id}",
    response=DisclosureOut,
    summary="One disclosure: exactly what was sent, to whom, how, and why",
)
def get_disclosure(request, disclosure_id: int):
    return _disclosure_out(_get_disclosure_for(request, disclosure_id))


@router.get(
    "/people/{person_id}/disclosures",
    response=list[DisclosureSummary],
    summary="What has been shared about a person (ready for a subject access request)",
)
def person_disclosures(request, person_id: int):
    _require(
        request.user,
        "disclosures.see_disclosures",
        "Only team managers, safeguarding leads and the data protection officer see "
        "what has been shared.",
    )
    person = get_person_for(request, person_id, action="viewed what has been shared", via="api")
    found = Disclosure.objects.filter(person_id__in=person.record_ids()).order_by("-sent_at", "-id")
    return [DisclosureSummary(**_summary(d)) for d in found]
