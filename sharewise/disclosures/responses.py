"""What came back from a disclosure: the partner's acknowledgement and the outcome,
recorded by the sender or a lead, pages and API alike. Never overwritten: a correction
is a new entry, with its reason, that replaces the one before (which stays)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.disclosures.access import require
from sharewise.disclosures.models import Disclosure, Response

ACKNOWLEDGEMENT = ("acknowledged_at", "acknowledged_by", "their_reference", "notes")
OUTCOME = (
    "enquiry_opened",
    "enquiry_opened_on",
    "enquiry_outcome",
    "enquiry_closed_on",
    "person_wanted",
    "wanted_achieved",
    "notes",
)
FIELDS = {Response.Kind.ACKNOWLEDGEMENT: ACKNOWLEDGEMENT, Response.Kind.OUTCOME: OUTCOME}
# What comes back from partners: a subject access response goes to the person.
ANSWERED_KINDS = (Disclosure.Kind.REFERRAL, Disclosure.Kind.TOLD)


def current(disclosure_ids) -> dict[int, dict[str, Response]]:
    """{disclosure id: {kind: the entry not replaced}}, in one query."""
    found: dict[int, dict[str, Response]] = {}
    for r in Response.objects.filter(
        disclosure_id__in=disclosure_ids, replaced_by__isnull=True
    ).select_related("recorded_by"):
        found.setdefault(r.disclosure_id, {})[r.kind] = r
    return found


def corrected(disclosure) -> list[Response]:
    """Entries since corrected, each with the correction that replaced it."""
    return list(
        disclosure.responses.filter(replaced_by__isnull=False).select_related(
            "recorded_by", "replaced_by"
        )
    )


def _day(value):
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return "bad"
    return value


def _checked(disclosure, kind, data: dict, now) -> dict:
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for name in ("acknowledged_by", "their_reference", "person_wanted", "notes"):
        clean[name] = (data.get(name) or "").strip()
    if kind == Response.Kind.ACKNOWLEDGEMENT:
        at = data.get("acknowledged_at")
        if not isinstance(at, datetime):
            errors["acknowledged_at"] = ["Enter the date and time it was acknowledged"]
        else:
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
            if at > now + timedelta(minutes=5):
                errors["acknowledged_at"] = ["The acknowledgement must be in the past"]
            elif at < disclosure.sent_at - timedelta(minutes=5):
                errors["acknowledged_at"] = ["It cannot be acknowledged before it was sent"]
        clean["acknowledged_at"] = at
        if not clean["acknowledged_by"]:
            errors["acknowledged_by"] = ["Enter who acknowledged it at the partner"]
        return _raise_or(errors, {k: clean[k] for k in ACKNOWLEDGEMENT})
    opened = data.get("enquiry_opened")
    opened = {"yes": True, "no": False, "": None}.get(opened, opened)
    if opened not in (True, False, None):
        errors["enquiry_opened"] = ["Say yes or no"]
    clean["enquiry_opened"] = opened
    for name, words in (
        ("enquiry_opened_on", "the date the enquiry opened"),
        ("enquiry_closed_on", "the date the enquiry closed"),
    ):
        value = _day(data.get(name))
        if value == "bad" or (value is not None and not isinstance(value, date)):
            errors[name] = [f"Enter {words} as a real date"]
            value = None
        elif value and value > timezone.localdate(now):
            errors[name] = [f"Enter {words}: it cannot be in the future"]
        clean[name] = value
    outcome = (data.get("enquiry_outcome") or "").strip()
    if outcome and outcome not in Response.EnquiryOutcome.values:
        errors["enquiry_outcome"] = ["Choose one of the outcomes listed"]
    clean["enquiry_outcome"] = outcome
    achieved = (data.get("wanted_achieved") or "").strip()
    if achieved and achieved not in Response.Achieved.values:
        errors["wanted_achieved"] = ["Choose fully, partly or not achieved"]
    clean["wanted_achieved"] = achieved
    if opened is None and not (outcome or clean["notes"]):
        errors["enquiry_opened"] = [
            "Say whether a section 42 enquiry was opened, or give the outcome in the notes"
        ]
    if opened and not clean["enquiry_opened_on"]:
        errors.setdefault("enquiry_opened_on", ["Enter the date the enquiry opened"])
    if opened is False and (clean["enquiry_opened_on"] or clean["enquiry_closed_on"]):
        errors["enquiry_opened"] = ["An enquiry not opened has no dates: say yes, or clear them"]
    if clean["enquiry_closed_on"] and not outcome:
        errors["enquiry_outcome"] = ["Choose how the enquiry ended"]
    if (
        clean["enquiry_closed_on"]
        and clean["enquiry_opened_on"]
        and clean["enquiry_closed_on"] < clean["enquiry_opened_on"]
    ):
        errors["enquiry_closed_on"] = ["The enquiry cannot close before it opened"]
    if achieved and not clean["person_wanted"]:
        errors["person_wanted"] = ["Say what the person wanted to happen"]
    return _raise_or(errors, {k: clean[k] for k in OUTCOME})


def _raise_or(errors, clean):
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def record(
    request, disclosure, kind: str, data: dict, *, correction_reason: str = "", via="page"
) -> Response:
    """Record the acknowledgement or the outcome. When one is already recorded this is
    a correction: it needs a reason, and the earlier entry stays in the history."""
    require(request.user, "disclosures.record_response")
    if kind not in FIELDS:
        raise ValidationError({"kind": ["Say acknowledgement or outcome"]})
    disclosure = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
    if disclosure.kind not in ANSWERED_KINDS:
        raise ValidationError(
            {"kind": ["A subject access response goes to the person: nothing comes back"]}
        )
    now = timezone.now()
    clean = _checked(disclosure, kind, data, now)
    before = Response.objects.filter(
        disclosure=disclosure, kind=kind, replaced_by__isnull=True
    ).first()
    reason = (correction_reason or "").strip()
    if before is not None and len(reason.split()) < 2:
        raise ValidationError(
            {"correction_reason": ["This corrects what was recorded before: say why"]}
        )
    response = Response.objects.create(
        disclosure=disclosure,
        kind=kind,
        replaces=before,
        correction_reason=reason if before else "",
        recorded_by=request.user,
        recorded_at=now,
        **clean,
    )
    trail.record_request(
        request,
        f"recorded {kind}" if before is None else f"corrected {kind}",
        object_type="disclosure",
        object_id=disclosure.pk,
        person_id=disclosure.person_id,
        organisation_id=disclosure.organisation_id,
        detail={"via": via, "response": response.pk},
    )
    return response


def words(r: Response) -> str:
    """One line saying what was recorded, for the disclosure page and the chronology."""
    if r.kind == Response.Kind.ACKNOWLEDGEMENT:
        at = timezone.localtime(r.acknowledged_at)
        ref = f", their reference {r.their_reference}" if r.their_reference else ""
        return f"Acknowledged {at:%-d %B %Y} by {r.acknowledged_by}{ref}"
    parts = []
    if r.enquiry_opened is True:
        parts.append(f"Section 42 enquiry opened {r.enquiry_opened_on:%-d %B %Y}")
    elif r.enquiry_opened is False:
        parts.append("No section 42 enquiry opened")
    if r.enquiry_outcome:
        closed = f" (closed {r.enquiry_closed_on:%-d %B %Y})" if r.enquiry_closed_on else ""
        parts.append(f"outcome: {r.get_enquiry_outcome_display().lower()}{closed}")
    if r.person_wanted:
        achieved = (
            f": {r.get_wanted_achieved_display().lower()}"
            if r.wanted_achieved
            else ": not known yet whether achieved"
        )
        parts.append(f"what the person wanted ({r.person_wanted}){achieved}")
    if r.notes:
        parts.append(r.notes)
    return "; ".join(parts) + "."


def unacknowledged(organisation_id, sent_before):
    """Disclosures to partners sent before then with no acknowledgement recorded."""
    return Disclosure.objects.filter(
        organisation_id=organisation_id,
        kind__in=ANSWERED_KINDS,
        sent_at__lt=sent_before,
    ).exclude(responses__kind=Response.Kind.ACKNOWLEDGEMENT)
