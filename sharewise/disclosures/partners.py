"""The partner directory, kept by the safeguarding lead: adding, changing and retiring
partners, each write on the trail. Retired partners stay, so old referrals and
disclosures still say where they went."""

from django.db import transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.disclosures.models import Partner, StaffContact
from sharewise.organisations.access import scope_for

FIELDS = ("name", "team", "contact_name", "channel", "email", "portal_url", "phone", "notes")


def _trail(request, action, partner, via, **detail):
    trail.record_request(
        request,
        action,
        object_type="partner",
        object_id=partner.pk,
        organisation_id=partner.organisation_id,
        detail={"via": via, **detail},
    )


def _tidy(data: dict) -> dict:
    """Only the address the chosen channel uses is kept."""
    data = {name: (data.get(name) or "").strip() for name in FIELDS}
    for channel, address in (
        (Partner.Channel.SECURE_EMAIL, "email"),
        (Partner.Channel.PORTAL, "portal_url"),
        (Partner.Channel.PHONE, "phone"),
    ):
        if data["channel"] != channel:
            data[address] = ""
    return data


@transaction.atomic
def add(request, data: dict, *, via="page") -> Partner:
    partner = Partner.objects.create(
        organisation_id=scope_for(request.user).organisation_id,
        added_by=request.user,
        **_tidy(data),
    )
    _trail(request, "added partner", partner, via)
    return partner


@transaction.atomic
def change(request, partner: Partner, data: dict, *, via="page") -> Partner:
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    changed = []
    for name, value in _tidy({**{f: getattr(partner, f) for f in FIELDS}, **data}).items():
        if getattr(partner, name) != value:
            setattr(partner, name, value)
            changed.append(name)
    if changed:
        partner.save(update_fields=changed)
        _trail(request, "changed partner", partner, via, fields=changed)
    return partner


@transaction.atomic
def retire(request, partner: Partner, *, via="page") -> Partner:
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.retired_at is None:
        partner.retired_at = timezone.now()
        partner.save(update_fields=["retired_at"])
        _trail(request, "retired partner", partner, via)
    return partner


@transaction.atomic
def set_contact(request, *, job_title: str, phone: str, via="page"):
    """The referrer's own details, printed on the referrals they build. Their email
    address stays the administrator's to set: password reset links go to it."""
    user = request.user
    StaffContact.objects.update_or_create(
        user=user, defaults={"job_title": job_title.strip(), "phone": phone.strip()}
    )
    trail.record_request(
        request,
        "changed contact details for referrals",
        object_type="user",
        object_id=user.pk,
        organisation_id=scope_for(user).organisation_id,
        detail={"via": via},
    )


def contact_of(user) -> dict:
    """The referrer's own job title and phone, as kept (empty when never given)."""
    contact = StaffContact.objects.filter(user=user).first()
    return {"job_title": contact.job_title, "phone": contact.phone} if contact else {}
