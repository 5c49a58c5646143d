"""Building, previewing, approving and sending a referral. Each step raises
ValidationError naming what to fix, and changes nothing when refused. What is sent is
the last preview, byte for byte.

Sending makes the referral final (it can no longer change) and then delivers it by
the partner's channel. Secure email goes through Django's mail to the configured mail
server; the disclosure is written only once the server accepted it. A portal or phone
referral is submitted by the sender, who then confirms when, by whom and with what
reference; until then it is final but not sent."""

from __future__ import annotations

import hashlib
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from sharewise.audittrail import records, trail
from sharewise.concerns.access import who_may_see
from sharewise.disclosures import content as contentlib
from sharewise.disclosures import minimum
from sharewise.disclosures.models import Delivery, Disclosure, Partner, Referral
from sharewise.organisations.models import Membership, Role
from sharewise.patterns.models import Notification
from sharewise.policy import store

# An attempt still "being sent" after this long is taken to have died with its request.
STALE_ATTEMPT = timedelta(minutes=2)


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
    if partner := _partner_named_by(decision):
        _choose(referral, partner)
        referral.save()
    _trail(request, "started referral", referral, via, template=template.code)
    return referral


def _choose(referral, partner) -> None:
    referral.partner = partner
    referral.recipient_organisation = partner.name
    referral.recipient_role = partner.team
    referral.recipient_name = partner.contact_name
    referral.recipient_contact = partner.address
    referral.channel = partner.channel


def _partner_named_by(decision):
    """The one current partner the decision to share names (by organisation, then by
    channel when the organisation has several), or None: the sender chooses."""
    if not decision.recipient_organisation:
        return None
    named = list(
        Partner.objects.filter(
            organisation_id=decision.organisation_id,
            retired_at__isnull=True,
            name__iexact=decision.recipient_organisation.strip(),
        )
    )
    if len(named) > 1:
        named = [p for p in named if p.channel == decision.channel]
    return named[0] if len(named) == 1 else None


@transaction.atomic
def change(
    request,
    referral,
    *,
    choices=None,
    inputs=None,
    redactions=(),
    partner=None,
    typed=None,
    via="page",
):
    """Include or leave out fields (with reasons), fill in the sender's fields, redact or
    restore spans (with reasons), and choose the partner it goes to. Every choice is
    kept; so is a reason typed without its choice (typed), until it is used."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _not_final(referral)
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
    chosen = None
    if partner not in (None, ""):
        chosen = (
            Partner.objects.filter(
                organisation_id=referral.organisation_id, retired_at__isnull=True, pk=partner
            ).first()
            if str(partner).isdigit()
            else None
        )
        if chosen is None:
            errors["partner"] = ["Choose who it goes to from the partner directory"]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if typed is not None:
        referral.typed = {k: v for k, v in typed.items() if v}
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
    if chosen is not None:
        _choose(referral, chosen)
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
        **({"partner": chosen.pk} if chosen else {}),
    )
    return referral


@transaction.atomic
def preview(request, referral, *, via="page"):
    """Build what the recipient would get, as structured content and a PDF, and keep
    both: this is what Send sends."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    built = contentlib.build(referral)
    if referral.is_final:
        return referral, built  # what is sent stays what was previewed
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
    elif referral.status == Referral.Status.FINAL:
        errors["status"] = ["This referral is final: it is being sent"]
    if problem := contentlib.sharing_decision_problem(referral.decision):
        errors["decision"] = [problem]
    for code, problem in built.problems.items():
        errors.setdefault(code, []).append(problem)
    if referral.partner_id is None:
        errors["partner"] = ["Choose who it goes to from the partner directory"]
    elif referral.partner.retired_at is not None:
        errors["partner"] = [
            f"{referral.partner} is no longer in the partner directory: choose another"
        ]
    elif referral.channel == Partner.Channel.SECURE_EMAIL and not mail_server_configured():
        errors["mail_server"] = [
            "Secure email is not set up here: no mail server is configured, so nothing "
            "can be emailed. Ask your administrator to set one up, or send it to the "
            "partner's portal or by phone"
        ]
    for name, problem in contentlib.referrer_problems(referral).items():
        errors[name] = [problem]
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


def _not_final(referral) -> None:
    if referral.status == Referral.Status.SENT:
        raise ValidationError({"status": ["This referral has been sent: it cannot change"]})
    if referral.status == Referral.Status.FINAL:
        raise ValidationError(
            {"status": ["This referral is final and waiting to be sent: it cannot change"]}
        )


@transaction.atomic
def ask_approval(request, referral, *, via="page"):
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _not_final(referral)
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
    _not_final(referral)
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


@dataclass
class Sending:
    """Where a referral stands after Send: sent (the disclosure), not sent (the mail
    server's error: try again), or waiting for the sender to submit it and confirm."""

    referral: Referral
    disclosure: Disclosure | None = None
    delivery: Delivery | None = None

    @property
    def sent(self) -> bool:
        return self.disclosure is not None

    @property
    def error(self) -> str:
        if self.delivery and self.delivery.outcome == Delivery.Outcome.FAILED:
            return self.delivery.error
        return ""


def send(request, referral, *, via="page") -> Sending:
    """Make the referral final and deliver it by its partner's channel. Secure email is
    tried now, outside any transaction, so that what is recorded is what the mail
    server said: an attempt is written before, its outcome after. A referral already
    final and not sent is tried again (email) or left waiting for confirmation."""
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("partner", "organisation", "created_by", "person", "decision")
            .get(pk=referral.pk)
        )
        if referral.status != Referral.Status.FINAL:
            built = contentlib.build(referral)
            if errors := send_problems(referral, built):
                raise ValidationError(errors)
            referral.status = Referral.Status.FINAL
            referral.final_by = request.user
            referral.save(update_fields=["status", "final_by"])
            _trail(
                request,
                "made referral final",
                referral,
                via,
                sha256=referral.preview_sha256,
                channel=referral.channel,
            )
        if referral.channel != Partner.Channel.SECURE_EMAIL:
            return Sending(referral)
        _not_being_sent(referral)
        delivery = Delivery.objects.create(
            referral=referral, to=referral.recipient_contact, by=request.user
        )
    error = ""
    try:
        sent = _email(referral).send(fail_silently=False)
        if not sent:
            error = "The mail server did not accept the message"
    except (smtplib.SMTPException, OSError) as problem:
        error = _smtp_error(problem)
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        delivery.finished_at = timezone.now()
        if error:
            delivery.outcome, delivery.error = Delivery.Outcome.FAILED, error
            delivery.save(update_fields=["finished_at", "outcome", "error"])
            _trail(request, "referral email failed", referral, via, error=error)
            return Sending(referral, delivery=delivery)
        delivery.outcome = Delivery.Outcome.ACCEPTED
        delivery.save(update_fields=["finished_at", "outcome"])
        disclosure = _disclose(
            request,
            referral,
            via,
            sent_at=delivery.finished_at,
            delivery=Disclosure.How.EMAIL,
            delivered_to=delivery.to,
        )
        return Sending(referral, disclosure=disclosure, delivery=delivery)


# Backends that accept a message without delivering it anywhere.
NOT_DELIVERING = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
)


def mail_server_configured() -> bool:
    """Whether an email would reach a mail server: a console or file backend would
    'send' it without it leaving, which must never count as sent."""
    return settings.EMAIL_BACKEND not in NOT_DELIVERING


def _not_being_sent(referral) -> None:
    """Refuse while an attempt may still be talking to the mail server; an attempt that
    never finished (its request died) is marked as unknown, not as sent."""
    last = referral.deliveries.first()
    if last is None or last.outcome != Delivery.Outcome.SENDING:
        return
    if timezone.now() - last.started_at < STALE_ATTEMPT:
        raise ValidationError(
            {"status": ["This referral is being sent now: wait a minute, then look again"]}
        )
    last.outcome = Delivery.Outcome.FAILED
    last.finished_at = timezone.now()
    last.error = (
        "Sharewise never heard back from the mail server: ask the recipient whether it "
        "arrived before you send it again"
    )
    last.save(update_fields=["outcome", "finished_at", "error"])


@transaction.atomic
def reopen(request, referral, *, via="page") -> Referral:
    """Take a final referral that has not left back to being built: to choose another
    partner after the mail server refused the address, say. Never once it was sent."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status == Referral.Status.SENT:
        raise ValidationError({"status": ["This referral has been sent: it cannot change"]})
    if referral.status != Referral.Status.FINAL:
        raise ValidationError({"status": ["This referral is still being built"]})
    _not_being_sent(referral)
    referral.status = Referral.Status.DRAFT
    referral.final_by = None
    referral.save(update_fields=["status", "final_by"])
    _trail(request, "reopened referral", referral, via)
    return referral


def _smtp_error(problem: Exception) -> str:
    if isinstance(problem, smtplib.SMTPRecipientsRefused):
        refusals = "; ".join(
            f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for code, text in problem.recipients.values()
        )
        return f"The mail server refused the address: {refusals}"
    if isinstance(problem, smtplib.SMTPResponseException):
        text = problem.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"The mail server refused it: {problem.smtp_code} {text}"
    if isinstance(problem, smtplib.SMTPException):
        return f"The mail server refused it: {problem}"
    return f"Could not reach the mail server: {problem.strerror or problem}"


def _email(referral) -> mail.EmailMessage:
    """The message: only what the partner's agreement expects, no personal details of
    the person referred: who it is from, how to call back, and the PDF attached."""
    referrer = contentlib.referrer_for(referral)
    org = referral.organisation.name
    body = (
        f"A safeguarding referral from {org} is attached as a PDF "
        f"(our reference {referral.pk}).\n\n"
        f"To discuss it, please contact {referrer['name']}, {referrer['role']}, "
        f"on {referrer['phone']} or at {referrer['email']}.\n\n"
        f"SHA-256 of the attached PDF: {referral.preview_sha256}\n"
    )
    message = mail.EmailMessage(
        subject=f"Safeguarding referral from {org} (our reference {referral.pk})",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[referral.recipient_contact],
        reply_to=[referrer["email"]] if referrer["email"] else None,
    )
    message.attach(
        f"referral-{slugify(org)}-{referral.pk}.pdf",
        bytes(referral.preview_pdf),
        "application/pdf",
    )
    return message


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
    return _disclose(
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


def _disclose(request, referral, via, **delivered) -> Disclosure:
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
            **(
                {"reference": disclosure.receipt_reference, "by": disclosure.submitted_by_name}
                if disclosure.receipt_reference
                else {}
            ),
            records.DETAIL_KEY: records.digests_now(disclosure),
        },
    )
    return disclosure
