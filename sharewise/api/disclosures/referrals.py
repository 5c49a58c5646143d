"""Referrals through the API: started from a decision to share, changed, previewed,
countersigned, sent and confirmed, with the same permission and checks as the pages
(disclosures.access fetches, disclosures.referrals changes; these only answer)."""

from datetime import date
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from sharewise.api.disclosures.schemas import (
    ApprovalIn,
    DisclosureOut,
    PreviewOut,
    ReferralChangeIn,
    ReferralDeliveryOut,
    ReferralIn,
    ReferralOut,
    ReferralSummary,
    SendingOut,
    SubmittedIn,
    delivery_out,
    disclosure_out,
    referral_out,
    referral_summary,
)
from sharewise.api.inputs import Day
from sharewise.days import on_days
from sharewise.disclosures import access, referrals
from sharewise.disclosures.models import Disclosure, Referral
from sharewise.organisations import stepup
from sharewise.security import throttle

router = Router(tags=["Referrals and disclosures"])


def _fresh(referral_id) -> Referral:
    return Referral.objects.select_related(*access.REFERRAL_RELATED).get(pk=referral_id)


def _disclosure(pk) -> DisclosureOut:
    return disclosure_out(Disclosure.objects.select_related(*access.DISCLOSURE_RELATED).get(pk=pk))


@router.get(
    "/referrals",
    response=list[ReferralSummary],
    summary="Referrals one may work on, newest first (team managers, leads, the officer)",
    description="A builder sees their own; a lead or the data protection officer every "
    "referral about people they may see. Filter by person_id (their merged records too), "
    "status (draft, awaiting_dpo, final, sent) and the day it was started (from, to).",
)
def list_referrals(
    request,
    person_id: int | None = Query(None, description="Referrals about this person's id"),
    status: Literal["draft", "awaiting_dpo", "final", "sent"] | None = Query(  # noqa: B008
        None, description="Its status"
    ),
    from_: Day | None = Query(None, alias="from", description="Started on or after"),  # noqa: B008
    to: Day | None = Query(None, description="Started on or before"),  # noqa: B008
):
    if not access.works_on_referrals(request.user):
        raise PermissionDenied(
            "Only team managers, safeguarding leads and the data protection officer work "
            "on referrals."
        )
    found = access.referrals_visible_to(request.user).order_by("-created_at", "-id")
    found = _filtered(found, person_id, status, from_, to)
    shown = list(found)
    access.write_listed(request, "listed referrals", shown, via="api")
    sent = dict(Disclosure.objects.filter(referral__in=shown).values_list("referral_id", "pk"))
    return [referral_summary(r, sent) for r in shown]


def _filtered(found, person_id, status, since: date | None, until: date | None):
    if person_id is not None:
        found = found.filter(person_id__in=access.record_ids_of(person_id))
    if status:
        found = found.filter(status=status)
    return on_days(found, "created_at", since, until)


@router.post(
    "/referrals",
    response={201: ReferralOut},
    summary="Start a referral from a signed decision to share (team managers, leads)",
    description="The referral starts from the template's minimum for its purpose and the "
    "concerns' categories; other people's names are found and redacted from free text.",
)
def start_referral(request, payload: ReferralIn):
    access.require(request.user, "disclosures.build_referral")
    decision = access.get_decision_to_refer(request, payload.decision_id, via="api")
    referral = referrals.start(request, decision, payload.template, payload.purpose, via="api")
    return Status(201, referral_out(_fresh(referral.pk)))


@router.get(
    "/referrals/{referral_id}",
    response=ReferralOut,
    summary="A referral being built: each field in or out and why, and the names redacted",
)
def get_referral(request, referral_id: int):
    return referral_out(
        access.get_referral_for(request, referral_id, action="viewed referral", via="api")
    )


@router.patch(
    "/referrals/{referral_id}",
    response=ReferralOut,
    summary="Change a referral: fields in or out (with reasons), inputs, redactions, recipient",
)
def change_referral(request, referral_id: int, payload: ReferralChangeIn):
    referral = access.get_referral_for(
        request, referral_id, action="opened referral to change", via="api"
    )
    access.require(request.user, "disclosures.build_referral")
    referrals.change(
        request,
        referral,
        choices={code: c.dict() for code, c in payload.choices.items()},
        inputs=dict(payload.inputs),
        redactions=[r.dict() for r in payload.redactions],
        partner=payload.partner_id,
        no_agreement_reason=payload.no_agreement_reason,
        via="api",
    )
    return referral_out(_fresh(referral.pk))


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
    referral = access.get_referral_for(request, referral_id, action="previewed referral", via="api")
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


@router.post(
    "/referrals/{referral_id}/ask-approval",
    response=ReferralOut,
    summary="Ask the data protection officer to countersign a referral beyond the minimum",
    description="For the sender (team managers, leads). Refused (422) when the referral "
    "keeps to the minimum or is final. The officers who may see its concerns are told.",
)
def ask_approval(request, referral_id: int):
    referral = access.get_referral_for(request, referral_id, via="api")
    access.require(request.user, "disclosures.build_referral")
    referrals.ask_approval(request, referral, via="api")
    return referral_out(_fresh(referral.pk))


@router.post(
    "/referrals/{referral_id}/approve",
    response=ReferralOut,
    summary="Countersign a referral beyond the minimum (the data protection officer)",
    description="Someone other than the sender countersigns exactly what would be sent "
    "now, saying why more than the minimum is justified; a later change needs it again.",
)
def approve_referral(request, referral_id: int, payload: ApprovalIn):
    access.require(request.user, "disclosures.approve_referral")
    referral = access.get_referral_for(
        request, referral_id, action="countersigned referral", via="api"
    )
    stepup.require_for_api(request, "countersign a referral")
    referrals.approve(request, referral, payload.note, via="api")
    return referral_out(_fresh(referral.pk))


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
    referral = access.get_referral_for(
        request, referral_id, action="opened referral to send", via="api"
    )
    access.require(request.user, "disclosures.build_referral")
    stepup.require_for_api(request, "send a referral")
    sending = referrals.send(request, referral, via="api")
    if sending.sent:
        return Status(201, _disclosure(sending.disclosure.pk))
    r = sending.referral
    if sending.error:
        message = "Not sent: the mail server did not accept it. Try again."
    else:
        where = "on the portal " if r.channel == "portal" else "by phone on "
        message = (
            f"Not sent yet: download the PDF and submit it {where}{r.recipient_contact}, "
            "then confirm when, by whom and with what reference."
        )
    return Status(
        502 if sending.error else 202,
        SendingOut(
            referral_id=r.pk, status=r.status, sent=False, message=message, error=sending.error
        ),
    )


@router.get(
    "/referrals/{referral_id}/delivery",
    response=ReferralDeliveryOut,
    summary="Where a referral stands on its way: each email attempt, or what to do next",
)
def referral_delivery(request, referral_id: int):
    referral = access.get_referral_for(
        request, referral_id, action="opened referral to send", via="api"
    )
    return delivery_out(referral)


@router.post(
    "/referrals/{referral_id}/confirm-submitted",
    response={201: DisclosureOut},
    summary="Confirm a portal or phone referral was submitted: only then is it sent",
)
def confirm_submitted(request, referral_id: int, payload: SubmittedIn):
    referral = access.get_referral_for(
        request, referral_id, action="confirmed referral submitted", via="api"
    )
    access.require(request.user, "disclosures.build_referral")
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
    return Status(201, _disclosure(disclosure.pk))


@router.post(
    "/referrals/{referral_id}/reopen",
    response=ReferralOut,
    summary="Take a final referral that has not left back to being built (managers, leads)",
    description="To choose another partner after the mail server refused the address, say. "
    "Refused (422) once it was sent, or while it is still being built.",
)
def reopen_referral(request, referral_id: int):
    referral = access.get_referral_for(
        request, referral_id, action="opened referral to change", via="api"
    )
    access.require(request.user, "disclosures.build_referral")
    referrals.reopen(request, referral, via="api")
    return referral_out(_fresh(referral.pk))
