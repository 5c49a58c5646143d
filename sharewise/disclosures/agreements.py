"""Information-sharing agreements, kept by the safeguarding lead: adding one, changing
it (a new version replaces it) and retiring it, each write on the trail; and which
agreement covers sharing with a recipient for a purpose, for the referral builder and
what was told (coverage.py decides)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.disclosures import coverage
from sharewise.disclosures.models import Agreement
from sharewise.organisations.access import scope_for
from sharewise.policy import store

TEXT = (
    "partner_organisation",
    "title",
    "secure_channel",
    "contact_name",
    "contact_details",
    "document",
)
LISTS = ("purposes", "categories", "article_6", "article_9", "schedule_1")
FIELDS = (*TEXT, *LISTS, "starts_on", "review_on")


def choices_for(organisation_id) -> dict[str, list[tuple[str, str]]]:
    """What each list may hold, in the policies' own words: the referral templates'
    purposes, the recording policy's categories, the sharing framework's bases."""
    _, referrals = store.in_force(organisation_id, "referrals")
    _, recording = store.in_force(organisation_id, "recording")
    _, sharing = store.in_force(organisation_id, "sharing")
    purposes: dict[str, str] = {}
    for t in referrals.templates:
        for p in t.purposes:
            purposes.setdefault(p, f"{p.replace('_', ' ').capitalize()} ({t.title})")
    return {
        "purposes": list(purposes.items()),
        "categories": list(recording.category_labels().items()),
        "article_6": list(sharing.article_6.items()),
        "article_9": list(sharing.article_9.items()),
        "schedule_1": list(sharing.schedule_1.items()),
    }


def _checked(organisation_id, data: dict) -> dict:
    """The agreement's terms tidied, or ValidationError naming each field to fix."""
    errors: dict[str, list[str]] = {}
    clean = {name: (data.get(name) or "").strip() for name in TEXT}
    for name, words in (
        ("partner_organisation", "Enter the partner organisation, as in the partner directory"),
        ("title", "Enter the agreement's title"),
        ("secure_channel", "Enter the secure channel the agreement names"),
        ("contact_name", "Enter the named contact for the agreement"),
    ):
        if not clean[name]:
            errors[name] = [words]
    allowed = choices_for(organisation_id)
    for name in LISTS:
        given = [str(v) for v in data.get(name) or []]
        if unknown := [v for v in given if v not in dict(allowed[name])]:
            errors[name] = ["Not known here: " + ", ".join(unknown)]
        clean[name] = sorted(set(given))
    if not clean["purposes"]:
        errors["purposes"] = ["Choose at least one purpose the agreement covers"]
    if not (clean["article_6"] or clean["article_9"]):
        errors["article_6"] = ["Choose the lawful basis the agreement names"]
    for name, words in (("starts_on", "start date"), ("review_on", "review date")):
        value = data.get(name)
        if isinstance(value, str) and value:
            try:
                value = date.fromisoformat(value)
            except ValueError:
                value = None
        if not isinstance(value, date):
            errors[name] = [f"Enter the {words} as a real date"]
        clean[name] = value
    if not errors and clean["review_on"] < clean["starts_on"]:
        errors["review_on"] = ["The review date must be on or after the start date"]
    if errors:
        raise ValidationError(errors)
    return clean


def _trail(request, action, agreement, via, **detail):
    trail.record_request(
        request,
        action,
        object_type="agreement",
        object_id=agreement.pk,
        organisation_id=agreement.organisation_id,
        detail={"via": via, **detail},
    )


@transaction.atomic
def add(request, data: dict, *, via="page") -> Agreement:
    organisation_id = scope_for(request.user).organisation_id
    agreement = Agreement.objects.create(
        organisation_id=organisation_id,
        added_by=request.user,
        **_checked(organisation_id, data),
    )
    _trail(request, "added agreement", agreement, via)
    return agreement


@transaction.atomic
def change(request, agreement: Agreement, data: dict, *, via="page") -> Agreement:
    """A new version with the changed terms replaces the agreement, which stays as it
    stood for the disclosures that rested on it. Nothing changed: nothing written."""
    old = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not old.is_current:
        raise ValidationError(
            {"agreement": ["This version has been replaced or retired: change the current one"]}
        )
    terms = _checked(old.organisation_id, {**{f: getattr(old, f) for f in FIELDS}, **data})
    if all(getattr(old, f) == v for f, v in terms.items()):
        return old
    now = timezone.now()
    old.replaced_at = now
    old.save(update_fields=["replaced_at"])
    new = Agreement.objects.create(
        organisation_id=old.organisation_id,
        added_by=request.user,
        added_at=now,
        version=old.version + 1,
        replaces=old,
        **terms,
    )
    changed = sorted(f for f, v in terms.items() if getattr(old, f) != v)
    _trail(request, "changed agreement", new, via, replaces=old.pk, fields=changed)
    return new


@transaction.atomic
def retire(request, agreement: Agreement, *, via="page") -> Agreement:
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.is_current:
        agreement.retired_at = timezone.now()
        agreement.save(update_fields=["retired_at"])
        _trail(request, "retired agreement", agreement, via)
    return agreement


def terms_of(agreement: Agreement) -> coverage.Terms:
    return coverage.Terms(
        id=agreement.pk,
        title=agreement.title,
        partner_organisation=agreement.partner_organisation,
        purposes=frozenset(agreement.purposes),
        categories=frozenset(agreement.categories),
        starts=agreement.starts_on,
        review=agreement.review_on,
        retired=agreement.retired_at is not None,
    )


def cover_for(organisation_id, recipient_organisation: str, purpose: str, categories, on=None):
    """(the covering Agreement or None, the Cover saying why not) for sharing with this
    recipient now (or on a day). Replaced versions are history, not candidates."""
    on = on or timezone.localdate()
    found = {
        a.pk: a
        for a in Agreement.objects.filter(organisation_id=organisation_id, replaced_at__isnull=True)
    }
    cover = coverage.covering(
        [terms_of(a) for a in found.values()], recipient_organisation or "", purpose, categories, on
    )
    return (found[cover.agreement.id] if cover.covered else None), cover


def due_for_review(organisation_id, today=None) -> list[Agreement]:
    """Current agreements past their review date or due within the policy's days."""
    today = today or timezone.localdate()
    _, policy = store.in_force(organisation_id, "referrals")
    current = {
        a.pk: a
        for a in Agreement.objects.filter(
            organisation_id=organisation_id, replaced_at__isnull=True, retired_at__isnull=True
        )
    }
    due = coverage.due_for_review(
        [terms_of(a) for a in current.values()], today, policy.agreement_review_days
    )
    return [current[t.id] for t in due]
