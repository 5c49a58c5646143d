"""What was told to someone without a referral (a call to the police, a word with a GP)
under a decision to share: recorded as a disclosure of what was said, to whom, how and
when, so that what has been shared about a person is complete. The same agreement
check as a referral: without a current agreement the sender says why it was lawful."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharewise.audittrail import records, trail
from sharewise.disclosures import agreements
from sharewise.disclosures.access import require
from sharewise.disclosures.content import digest
from sharewise.disclosures.models import Disclosure, Partner
from sharewise.organisations.models import staff_name
from sharewise.policy import store
from sharewise.sharing.models import NOT_SHARING

CHANNELS = dict(Disclosure.TOLD_CHANNELS)
HOW = {"phone": "by phone", "in_person": "in person", "video": "by video call"}


def decision_problem(decision) -> str:
    """Why nothing can be recorded as told under this decision, or ""."""
    if decision.outcome in NOT_SHARING:
        return (
            "The decision is not to share: nothing can be recorded as told under it. "
            "If something was shared, record a new decision to share first"
        )
    if decision.status != decision.Status.SIGNED:
        return "The decision to share is not signed yet (it waits for a countersignature)"
    return ""


def purposes_for(organisation_id) -> list[tuple[str, str]]:
    return agreements.choices_for(organisation_id)["purposes"]


@transaction.atomic
def record_told(request, decision, data: dict, *, via="page") -> Disclosure:
    """data: partner_id, or recipient_organisation and recipient_role (recipient_name
    optional); channel; told_at; purpose; categories; what_said; no_agreement_reason
    when no current agreement covers it."""
    require(request.user, "disclosures.record_told")
    _refuse_decision(request, decision)
    errors: dict[str, list[str]] = {}
    partner, recipient = _recipient(errors, decision, data)
    channel, told_at = _how_and_when(errors, decision, data)
    purpose, categories, what_said = _what(errors, decision, data)
    if errors:
        raise ValidationError(errors)
    agreement, cover = agreements.cover_for(
        decision.organisation_id,
        recipient["organisation"],
        purpose,
        categories,
        on=timezone.localdate(told_at),
    )
    reason = (data.get("no_agreement_reason") or "").strip()
    if agreement is None and len(reason.split()) < 3:
        raise ValidationError(
            {"no_agreement_reason": [f"{cover.words} Say why telling them was still lawful"]}
        )
    content = {
        "kind": "told",
        "decision_id": decision.pk,
        "person_id": decision.person_id,
        "recipient": recipient,
        "channel": channel,
        "told_at": told_at.isoformat(),
        "purpose": purpose,
        "categories": categories,
        "what_said": what_said,
        "told_by": staff_name(request.user),
    }
    disclosure = _disclose(request, decision, content, partner, agreement, reason)
    trail.record_request(
        request,
        "recorded what was told",
        object_type="disclosure",
        object_id=disclosure.pk,
        person_id=disclosure.person_id,
        organisation_id=disclosure.organisation_id,
        detail={
            "via": via,
            "sha256": disclosure.sha256,
            "to": disclosure.recipient_organisation,
            "channel": channel,
            "agreement": disclosure.agreement_id,
            records.DETAIL_KEY: records.digests_now(disclosure),
        },
    )
    return disclosure


def _refuse_decision(request, decision) -> None:
    if problem := decision_problem(decision):
        raise ValidationError({"decision": [problem]})
    if decision.concerns.filter(source_staff=request.user).exists():
        raise ValidationError(
            {
                "decision": [
                    "A concern this decision rests on names you as the alleged source of "
                    "harm: the safeguarding lead records what was shared"
                ]
            }
        )


def _recipient(errors, decision, data) -> tuple[Partner | None, dict]:
    """The partner from the directory, or who was told as typed."""
    partner = None
    if data.get("partner_id") not in (None, ""):
        given = str(data["partner_id"])
        partner = Partner.objects.filter(
            organisation_id=decision.organisation_id,
            retired_at__isnull=True,
            pk=int(given) if given.isdigit() else 0,
        ).first()
        if partner is None:
            errors["partner_id"] = ["Choose who was told from the partner directory"]
    recipient = {
        "organisation": partner.name if partner else (data.get("recipient_organisation") or ""),
        "role": partner.team if partner else (data.get("recipient_role") or ""),
        "name": (data.get("recipient_name") or "").strip()
        or (partner.contact_name if partner else ""),
    }
    recipient = {k: v.strip() for k, v in recipient.items()}
    if not partner and "partner_id" not in errors:
        if not recipient["organisation"]:
            errors["recipient_organisation"] = [
                "Enter the organisation told, or choose a partner from the directory"
            ]
        if not recipient["role"]:
            errors["recipient_role"] = ["Enter the role or team of who was told"]
    return partner, recipient


def _how_and_when(errors, decision, data):
    channel = data.get("channel") or ""
    if channel not in CHANNELS:
        errors["channel"] = ["Choose how they were told"]
    told_at = data.get("told_at")
    if not isinstance(told_at, datetime):
        errors["told_at"] = ["Enter the date and time they were told"]
        return channel, None
    if timezone.is_naive(told_at):
        told_at = timezone.make_aware(told_at)
    if told_at > timezone.now() + timedelta(minutes=5):
        errors["told_at"] = ["The time they were told must be in the past"]
    elif told_at < decision.decided_at - timedelta(minutes=5):
        errors["told_at"] = ["The time they were told must be after the decision to share"]
    return channel, told_at


def _what(errors, decision, data):
    purpose = data.get("purpose") or ""
    if purpose not in dict(purposes_for(decision.organisation_id)):
        errors["purpose"] = ["Choose the purpose of telling them"]
    _, recording = store.in_force(decision.organisation_id, "recording")
    known = recording.category_labels()
    categories = sorted(set(data.get("categories") or []))
    if unknown := [c for c in categories if c not in known]:
        errors["categories"] = ["Not known here: " + ", ".join(unknown)]
    what_said = (data.get("what_said") or "").strip()
    if len(what_said.split()) < 3:
        errors["what_said"] = ["Say what was told, as exactly as you can"]
    return purpose, categories, what_said


def _disclose(request, decision, content, partner, agreement, reason) -> Disclosure:
    version, _ = store.in_force(decision.organisation_id, "referrals")
    recipient, channel = content["recipient"], content["channel"]
    return Disclosure.objects.create(
        organisation_id=decision.organisation_id,
        person_id=decision.person_id,
        kind=Disclosure.Kind.TOLD,
        decision=decision,
        template="told",
        template_title=f"Told {HOW.get(channel, 'another way')}",
        policy_version=version,
        content=content,
        pdf=b"",
        sha256=digest(content),
        recipient_organisation=recipient["organisation"],
        recipient_role=recipient["role"],
        recipient_name=recipient["name"],
        recipient_contact=partner.address if partner else "",
        channel=channel,
        partner=partner,
        agreement=agreement,
        no_agreement_reason="" if agreement else reason,
        sent_by=request.user,
        sent_at=datetime.fromisoformat(content["told_at"]),
        delivery=Disclosure.How.CONFIRMED,
        confirmed_by=request.user,
    )


def how_words(disclosure) -> str:
    """How it left, in a few words: 'by phone', 'in person', 'by secure email'."""
    if disclosure.kind == Disclosure.Kind.TOLD:
        return HOW.get(disclosure.channel, "another way")
    return f"by {disclosure.get_channel_display().lower()}"


def told_words(disclosure) -> str:
    """'Told <recipient> by phone: <what was said>' for the chronology and lists."""
    who = ", ".join(p for p in (disclosure.recipient_organisation, disclosure.recipient_role) if p)
    how = HOW.get(disclosure.channel, "another way")
    said = (disclosure.content or {}).get("what_said", "")
    return f"Told {who} {how}: {said}"
