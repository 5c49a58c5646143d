"""Sending a referral: it becomes final (it can no longer change) and goes by its
partner's channel. Secure email goes through Django's mail to the configured mail
server, and the disclosure is written only once the server accepted it. A portal or
phone referral is submitted by the sender, who then confirms it (disclosing.py)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from sharewise.disclosures import agreements
from sharewise.disclosures import content as contentlib
from sharewise.disclosures.models import Delivery, Disclosure, Partner, Referral
from sharewise.disclosures.referrals.building import write_trail
from sharewise.disclosures.referrals.disclosing import disclose

# An attempt still "being sent" after this long is taken to have died with its request.
STALE_ATTEMPT = timedelta(minutes=2)


def agreement_cover(referral):
    """(the agreement covering this referral today or None, why not)."""
    return agreements.cover_for(
        referral.organisation_id,
        referral.recipient_organisation,
        referral.purpose,
        referral.categories,
    )


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
    _, cover = agreement_cover(referral)
    if not cover.covered and len(referral.no_agreement_reason.split()) < 3:
        errors["no_agreement_reason"] = [
            f"{cover.words} Say why sharing is still lawful before you send it"
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
            referral.agreement, _ = agreement_cover(referral)
            referral.save(update_fields=["status", "final_by", "agreement"])
            write_trail(
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
            write_trail(request, "referral email failed", referral, via, error=error)
            return Sending(referral, delivery=delivery)
        delivery.outcome = Delivery.Outcome.ACCEPTED
        delivery.save(update_fields=["finished_at", "outcome"])
        disclosure = disclose(
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
    referral.agreement = None
    referral.save(update_fields=["status", "final_by", "agreement"])
    write_trail(request, "reopened referral", referral, via)
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
