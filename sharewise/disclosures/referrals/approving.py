"""Countersigning a referral that goes beyond the minimum: the sender asks the data
protection officer, who (never the sender) countersigns exactly what is to be sent."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sharewise.concerns.access import who_may_see
from sharewise.disclosures import content as contentlib
from sharewise.disclosures.models import Referral
from sharewise.disclosures.referrals.building import refuse_if_final, write_trail
from sharewise.organisations.models import Membership, Role
from sharewise.patterns.models import Notification


@transaction.atomic
def ask_approval(request, referral, *, via="page"):
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    refuse_if_final(referral)
    built = contentlib.build(referral)
    if not built.selection.needs_dpo:
        raise ValidationError(
            {"approval": ["This referral keeps to the minimum: no countersignature needed"]}
        )
    referral.status = Referral.Status.AWAITING_DPO
    referral.save(update_fields=["status"])
    link = reverse("referral", args=[referral.pk])
    officers = Membership.objects.filter(
        organisation_id=referral.organisation_id,
        role=Role.DATA_PROTECTION_OFFICER,
        user__is_active=True,
    ).values_list("user_id", flat=True)
    # Nobody hears of a referral about concerns they may not see (naming them, say).
    Notification.objects.bulk_create(
        Notification(
            recipient_id=u, message="A referral beyond the minimum waits for you", link=link
        )
        for u in sorted(
            who_may_see(officers, referral.decision.concerns.values_list("pk", flat=True))
        )
    )
    write_trail(request, "asked for countersignature of referral", referral, via)
    return referral


@transaction.atomic
def approve(request, referral, note: str, *, via="page"):
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    refuse_if_final(referral)
    built = contentlib.build(referral)
    errors = {}
    if len((note or "").split()) < 3:
        errors["note"] = ["Say why sending more than the minimum is justified here"]
    if not built.selection.needs_dpo:
        errors["approval"] = ["This referral keeps to the minimum: no countersignature needed"]
    if referral.created_by_id == request.user.pk:
        errors["approval"] = ["Someone other than the sender countersigns"]
    if errors:
        raise ValidationError(errors)
    referral.dpo_approved_by = request.user
    referral.dpo_approved_at = timezone.now()
    referral.dpo_note = note.strip()
    referral.dpo_approved_sha256 = contentlib.digest(built.content(referral))
    referral.status = Referral.Status.DRAFT
    referral.save(
        update_fields=[
            "dpo_approved_by",
            "dpo_approved_at",
            "dpo_note",
            "dpo_approved_sha256",
            "status",
        ]
    )
    Notification.objects.create(
        recipient_id=referral.created_by_id,
        message="Your referral was countersigned by the data protection officer",
        link=reverse("referral", args=[referral.pk]),
    )
    write_trail(request, "countersigned referral", referral, via)
    return referral
