"""Changing a referral being built: fields in or out (with reasons), the sender's own
fields, redactions added or restored (with reasons) and the partner it goes to. Every
change is checked in full first, so a refused change writes nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharewise.disclosures import content as contentlib
from sharewise.disclosures import minimum
from sharewise.disclosures.models import Partner, Referral
from sharewise.disclosures.referrals.building import (
    choose_partner,
    refuse_if_final,
    write_trail,
)
from sharewise.policy import store


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
    no_agreement_reason=None,
    via="page",
):
    """Include or leave out fields (with reasons), fill in the sender's fields, redact or
    restore spans (with reasons), and choose the partner it goes to. Every choice is
    kept; so is a reason typed without its choice (typed), until it is used."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    refuse_if_final(referral)
    policy = store.validated(referral.policy_version)
    built = contentlib.build(referral)
    errors: dict[str, list[str]] = {}
    _check_choices(errors, choices or {}, policy.template(referral.template), built)
    _check_redactions(errors, redactions, built)
    senders = {c for c, f in policy.fields.items() if f.source == "sender"}
    if unknown := set(inputs or {}) - senders:
        errors["inputs"] = [
            "Only what the sender fills in can be typed: " + ", ".join(sorted(unknown))
        ]
    chosen = _partner_chosen(errors, referral, partner)
    if no_agreement_reason and len(no_agreement_reason.split()) < 3:
        errors["no_agreement_reason"] = [
            "Say in a few words why sharing is lawful without a current agreement"
        ]
    if errors:
        raise ValidationError(errors)
    _apply(request, referral, choices, inputs, redactions, typed)
    if chosen is not None:
        choose_partner(referral, chosen)
    if no_agreement_reason is not None:
        referral.no_agreement_reason = no_agreement_reason.strip()
    referral.save()
    write_trail(
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


def _check_choices(errors, choices, template, built) -> None:
    # Refused now, not at send: a change to the minimum carries its own reason.
    listed = set(template.field_codes())
    for code, c in choices.items():
        if code not in listed:
            errors.setdefault("choices", []).append(f"{code} is not a field of this template")
            continue
        f = built.selection.field(code)
        choice = minimum.Choice(bool(c.get("include")), (c.get("why") or "").strip())
        if problem := minimum.choice_problem(f.label, template, f.in_minimum, f.available, choice):
            part = "include" if choice.include and not f.available else "why"
            errors[f"choices.{code}.{part}"] = [problem]


def _check_redactions(errors, redactions, built) -> None:
    for item in redactions:
        if problems := _redaction_problems(item, built):
            errors.setdefault("redactions", []).extend(problems)


def _redaction_problems(item, built) -> list[str]:
    code, action = item.get("field"), item.get("action")
    if action not in ("redact", "restore"):
        return ["Say redact or restore"]
    if code not in built.originals:
        return [f"{code} is not free text being sent: nothing to redact there"]
    problems = []
    if len((item.get("reason") or "").strip().split()) < 2:
        problems.append("Give a reason for each redaction you add or restore")
    start, end = item.get("start"), item.get("end")
    if action == "restore" and not any(
        s.start == start and s.end == end for s in built.found.get(code, [])
    ):
        problems.append("Only a name Sharewise redacted can be restored")
    text = built.originals[code]
    if action == "redact" and not (
        isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
    ):
        problems.append("That part of the text does not exist")
    return problems


def _partner_chosen(errors, referral, partner) -> Partner | None:
    if partner in (None, ""):
        return None
    chosen = (
        Partner.objects.filter(
            organisation_id=referral.organisation_id, retired_at__isnull=True, pk=partner
        ).first()
        if str(partner).isdigit()
        else None
    )
    if chosen is None:
        errors["partner"] = ["Choose who it goes to from the partner directory"]
    return chosen


def _apply(request, referral, choices, inputs, redactions, typed) -> None:
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
    referral.updated_at = now
