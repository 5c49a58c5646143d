"""Confirming a portal or phone referral was submitted, and writing the disclosure:
exactly what left the organisation, once it did."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharewise.audittrail import records, trail
from sharewise.disclosures import content as contentlib
from sharewise.disclosures.models import Disclosure, Partner, Referral


@transaction.atomic
def confirm_submitted(
    request, referral, *, submitted_at, submitted_by: str, reference: str, via="page"
) -> Disclosure:
    """The sender says they submitted the final referral on the partner's portal or read
    it to them by phone: when, who did, and the reference the partner gave. Only then
    is it sent."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("partner", "organisation", "created_by", "person", "decision")
        .get(pk=referral.pk)
    )
    errors = {}
    if referral.status == Referral.Status.SENT:
        errors["status"] = ["This referral has already been sent"]
    elif referral.status != Referral.Status.FINAL:
        errors["status"] = ["Send the referral first: it is not final yet"]
    elif referral.channel == Partner.Channel.SECURE_EMAIL:
        errors["status"] = ["This referral goes by secure email: Sharewise sends it"]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if submitted_at is None:
        errors["submitted_at"] = ["Enter the date and time it was submitted"]
    elif submitted_at > now + timedelta(minutes=5):
        errors["submitted_at"] = ["The time it was submitted must be in the past"]
    elif referral.previewed_at and submitted_at < referral.previewed_at - timedelta(minutes=5):
        errors["submitted_at"] = [
            "The time it was submitted must be after the referral was made final"
        ]
    if not (submitted_by or "").strip():
        errors["submitted_by"] = ["Enter the name of who submitted it"]
    if not (reference or "").strip():
        errors["reference"] = [
            "Enter the reference the partner gave"
            + (" on the portal" if referral.channel == Partner.Channel.PORTAL else " on the phone")
        ]
    if errors:
        raise ValidationError(errors)
    return disclose(
        request,
        referral,
        via,
        sent_at=submitted_at,
        delivery=Disclosure.How.CONFIRMED,
        delivered_to=referral.recipient_contact,
        submitted_by_name=submitted_by.strip(),
        receipt_reference=reference.strip(),
        confirmed_by=request.user,
    )


def disclose(request, referral, via, **delivered) -> Disclosure:
    """Write what left the organisation: called once it did."""
    built = contentlib.build(referral)
    selection = built.selection
    disclosure = Disclosure.objects.create(
        organisation_id=referral.organisation_id,
        person_id=referral.person_id,
        referral=referral,
        decision=referral.decision,
        template=referral.template,
        template_title=built.template.title,
        policy_version=referral.policy_version,
        content=referral.preview_json,
        pdf=bytes(referral.preview_pdf),
        sha256=referral.preview_sha256,
        minimum_fields=sorted(selection.minimum),
        sent_fields=sorted(selection.included),
        justifications={
            f.code: f.why for f in selection.fields if f.why and f.included != f.in_minimum
        },
        redactions=referral.redactions,
        beyond_minimum=len(selection.beyond),
        recipient_organisation=referral.recipient_organisation,
        recipient_role=referral.recipient_role,
        recipient_name=referral.recipient_name,
        recipient_contact=referral.recipient_contact,
        channel=referral.channel,
        partner=referral.partner,
        agreement=referral.agreement,
        no_agreement_reason="" if referral.agreement_id else referral.no_agreement_reason,
        sent_by=referral.final_by or referral.created_by,
        dpo_approved_by=referral.dpo_approved_by,
        **delivered,
    )
    referral.status = Referral.Status.SENT
    referral.save(update_fields=["status"])
    trail.record_request(
        request,
        "sent disclosure",
        object_type="disclosure",
        object_id=disclosure.pk,
        person_id=referral.person_id,
        organisation_id=referral.organisation_id,
        detail={
            "via": via,
            "sha256": disclosure.sha256,
            "to": referral.recipient_organisation,
            "fields": disclosure.sent_fields,
            "delivery": disclosure.delivery,
            "delivered_to": disclosure.delivered_to,
            "agreement": disclosure.agreement_id,
            **(
                {"reference": disclosure.receipt_reference, "by": disclosure.submitted_by_name}
                if disclosure.receipt_reference
                else {}
            ),
            records.DETAIL_KEY: records.digests_now(disclosure),
        },
    )
    return disclosure
