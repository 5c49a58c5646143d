"""Building, previewing, approving and sending a referral. Each step raises
ValidationError naming what to fix, and changes nothing when refused. What is sent is
the last preview, byte for byte."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sharewise.audittrail import records, trail
from sharewise.concerns.access import who_may_see
from sharewise.disclosures import content as contentlib
from sharewise.disclosures import minimum
from sharewise.disclosures.models import Disclosure, Referral
from sharewise.organisations.models import Membership, Role
from sharewise.patterns.models import Notification
from sharewise.policy import store
from sharewise.sharing.models import Channel

RECIPIENT_FIELDS = (
    "recipient_organisation",
    "recipient_role",
    "recipient_name",
    "recipient_contact",
    "channel",
)


def _trail(request, action, referral, via, **detail):
    trail.record_request(
        request,
        action,
        object_type="referral",
        object_id=referral.pk,
        person_id=referral.person_id,
        organisation_id=referral.organisation_id,
        detail={"via": via, **detail},
    )


@transaction.atomic
def start(request, decision, template_code: str, purpose: str = "", *, via="page") -> Referral:
    version, policy = store.in_force(decision.organisation_id, "referrals")
    errors = {}
    if problem := contentlib.sharing_decision_problem(decision):
        errors["decision"] = [problem]
    if decision.concerns.filter(source_staff=request.user).exists():
        errors["decision"] = [
            "A concern this decision rests on names you as the alleged source of harm: "
            "the safeguarding lead sends this referral"
        ]
    template = policy.template(template_code)
    if template is None:
        errors["template"] = ["Choose a referral template"]
    elif purpose and purpose not in template.purposes:
        errors["purpose"] = ["Choose one of: " + ", ".join(template.purposes)]
    if errors:
        raise ValidationError(errors)
    categories = sorted({c for concern in decision.concerns.all() for c in concern.categories})
    referral = Referral.objects.create(
        organisation_id=decision.organisation_id,
        person_id=decision.person_id,
        decision=decision,
        template=template.code,
        purpose=purpose or template.purposes[0],
        categories=categories,
        policy_version=version,
        recipient_organisation=decision.recipient_organisation,
        recipient_role=decision.recipient_role or template.recipient,
        recipient_name=decision.recipient_name,
        channel=decision.channel,
        created_by=request.user,
    )
    _trail(request, "started referral", referral, via, template=template.code)
    return referral


@transaction.atomic
def change(
    request, referral, *, choices=None, inputs=None, redactions=(), recipient=None, via="page"
):
    """Include or leave out fields (with reasons), fill in the sender's fields, redact or
    restore spans (with reasons), and set the recipient. Every choice is kept."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status == Referral.Status.SENT:
        raise ValidationError({"status": ["This referral has been sent: it cannot change"]})
    errors = {}
    policy = store.validated(referral.policy_version)
    template = policy.template(referral.template)
    listed = set(template.field_codes())
    built = contentlib.build(referral)
    for code, c in (choices or {}).items():
        if code not in listed:
            errors.setdefault("choices", []).append(f"{code} is not a field of this template")
            continue
        # Refused now, not at send: a change to the minimum carries its own reason.
        f = built.selection.field(code)
        choice = minimum.Choice(bool(c.get("include")), (c.get("why") or "").strip())
        if problem := minimum.choice_problem(f.label, template, f.in_minimum, f.available, choice):
            part = "include" if choice.include and not f.available else "why"
            errors[f"choices.{code}.{part}"] = [problem]
    for item in redactions:
        code, action = item.get("field"), item.get("action")
        reason = (item.get("reason") or "").strip()
        if action not in ("redact", "restore"):
            errors.setdefault("redactions", []).append("Say redact or restore")
            continue
        if code not in built.originals:
            errors.setdefault("redactions", []).append(
                f"{code} is not free text being sent: nothing to redact there"
            )
            continue
        if len(reason.split()) < 2:
            errors.setdefault("redactions", []).append(
                "Give a reason for each redaction you add or restore"
            )
        start, end = item.get("start"), item.get("end")
        text = built.originals[code]
        if action == "restore" and not any(
            s.start == start and s.end == end for s in built.found.get(code, [])
        ):
            errors.setdefault("redactions", []).append(
                "Only a name Sharewise redacted can be restored"
            )
        if action == "redact" and not (
            isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
        ):
            errors.setdefault("redactions", []).append("That part of the text does not exist")
    senders = {c for c, f in policy.fields.items() if f.source == "sender"}
    if unknown := set(inputs or {}) - senders:
        errors["inputs"] = [
            "Only what the sender fills in can be typed: " + ", ".join(sorted(unknown))
        ]
    if recipient and recipient.get("channel") not in (None, "", *Channel.values):
        errors["channel"] = ["Choose how it will be sent"]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if choices:
        referral.choices = {
            **referral.choices,
            **{
                code: {"include": bool(c["include"]), "why": c.get("why", "").strip()}
                for code, c in choices.items()
            },
        }
    if inputs:
        referral.inputs = {**referral.inputs, **inputs}
    if redactions:
        referral.redactions = [
            *referral.redactions,
            *(
                {
                    "field": r["field"],
                    "start": r["start"],
                    "end": r["end"],
                    "action": r["action"],
                    "reason": r["reason"].strip(),
                    "by": request.user.pk,
                    "at": now.isoformat(),
                }
                for r in redactions
            ),
        ]
    for name in RECIPIENT_FIELDS:
        if recipient and name in recipient:
            setattr(referral, name, (recipient[name] or "").strip())
    referral.updated_at = now
    referral.save()
    _trail(
        request,
        "changed referral",
        referral,
        via,
        fields=sorted(choices or {}),
        inputs=sorted(inputs or {}),
        redactions=len(redactions),
    )
    return referral


@transaction.atomic
def preview(request, referral, *, via="page"):
    """Build what the recipient would get, as structured content and a PDF, and keep
    both: this is what Send sends."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    built = contentlib.build(referral)
    if referral.status == Referral.Status.SENT:
        return referral, built  # what was sent stays what was previewed
    content = built.content(referral)
    if referral.preview_json != content or not referral.preview_pdf:
        html = contentlib.render_html(content)
        pdf = contentlib.render_pdf(html)
        referral.preview_json = content
        referral.preview_pdf = pdf
        referral.preview_sha256 = hashlib.sha256(pdf).hexdigest()
        referral.previewed_at = timezone.now()
        referral.save(
            update_fields=["preview_json", "preview_pdf", "preview_sha256", "previewed_at"]
        )
    _trail(request, "previewed referral", referral, via, sha256=referral.preview_sha256)
    return referral, built


def send_problems(referral, built) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if referral.status == Referral.Status.SENT:
        errors["status"] = ["This referral has already been sent"]
    if problem := contentlib.sharing_decision_problem(referral.decision):
        errors["decision"] = [problem]
    for code, problem in built.problems.items():
        errors.setdefault(code, []).append(problem)
    for name, message in (
        ("recipient_organisation", "Say which organisation it goes to"),
        ("recipient_role", "Say the recipient's role"),
        ("channel", "Choose how it will be sent"),
    ):
        if not getattr(referral, name):
            errors[name] = [message]
    current = built.content(referral)
    if referral.preview_json is None or referral.preview_json != current:
        errors["preview"] = [
            "Preview the referral before you send it: what is sent is what you previewed"
        ]
    if built.selection.needs_dpo and referral.dpo_approved_sha256 != contentlib.digest(current):
        errors["approval"] = [
            f"The data protection officer must countersign first: {built.selection.needs_dpo}"
        ]
    return errors


def _not_sent(referral) -> None:
    if referral.status == Referral.Status.SENT:
        raise ValidationError({"status": ["This referral has been sent: it cannot change"]})


@transaction.atomic
def ask_approval(request, referral, *, via="page"):
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
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
    _trail(request, "asked for countersignature of referral", referral, via)
    return referral


@transaction.atomic
def approve(request, referral, note: str, *, via="page"):
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _not_sent(referral)
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
    _trail(request, "countersigned referral", referral, via)
    return referral


@transaction.atomic
def send(request, referral, *, via="page") -> Disclosure:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    built = contentlib.build(referral)
    if errors := send_problems(referral, built):
        raise ValidationError(errors)
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
        sent_by=request.user,
        dpo_approved_by=referral.dpo_approved_by,
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
            records.DETAIL_KEY: records.digests_now(disclosure),
        },
    )
    return disclosure
