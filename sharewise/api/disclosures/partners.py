"""The partner directory and one's own contact details for referrals, through the API:
the same permission and the same form checks as the pages, the same changes
(disclosures.partners)."""

from django.core.exceptions import ValidationError
from ninja import Query, Router, Status

from sharewise.api.disclosures.schemas import (
    ContactDetailsIn,
    ContactDetailsOut,
    PartnerChangeIn,
    PartnerIn,
    PartnerOut,
    partner_out,
)
from sharewise.disclosures import access, partners
from sharewise.disclosures.forms import ContactDetailsForm, PartnerForm
from sharewise.organisations.models import staff_name

router = Router(tags=["Referrals and disclosures"])


def _checked(form_class, data: dict) -> dict:
    """Checked as the page's form checks it; 422 naming the field otherwise."""
    form = form_class({k: v or "" for k, v in data.items()})
    if not form.is_valid():
        raise ValidationError({name: list(problems) for name, problems in form.errors.items()})
    return form.cleaned_data


@router.get(
    "/partners",
    response=list[PartnerOut],
    summary="The partner directory: where referrals go and how (managers, leads, officer)",
)
def list_partners(request, retired: bool = Query(False, description="true: retired ones")):
    access.require(request.user, "disclosures.see_partners")
    return [partner_out(p) for p in access.partners_visible_to(request.user, retired=retired)]


@router.post("/partners", response={201: PartnerOut}, summary="Add a partner (safeguarding leads)")
def add_partner(request, payload: PartnerIn):
    access.require(request.user, "disclosures.keep_partners")
    data = _checked(PartnerForm, payload.dict())
    return Status(201, partner_out(partners.add(request, data, via="api")))


@router.patch(
    "/partners/{partner_id}", response=PartnerOut, summary="Change a partner (safeguarding leads)"
)
def change_partner(request, partner_id: int, payload: PartnerChangeIn):
    partner = access.get_partner_to_keep(request, partner_id)
    if partner.retired_at is not None:
        raise ValidationError({"partner": ["This partner is retired: it cannot change"]})
    current = {f: getattr(partner, f) for f in partners.FIELDS}
    data = _checked(PartnerForm, {**current, **payload.dict(exclude_unset=True)})
    return partner_out(partners.change(request, partner, data, via="api"))


@router.post(
    "/partners/{partner_id}/retire",
    response=PartnerOut,
    summary="Retire a partner: no new referrals go to them (safeguarding leads)",
)
def retire_partner(request, partner_id: int):
    partner = access.get_partner_to_keep(request, partner_id)
    return partner_out(partners.retire(request, partner, via="api"))


def _contact_out(user) -> ContactDetailsOut:
    kept = partners.contact_of(user)
    return ContactDetailsOut(
        name=staff_name(user),
        email=user.email,
        job_title=kept.get("job_title", ""),
        phone=kept.get("phone", ""),
    )


@router.get(
    "/me/contact-details",
    response=ContactDetailsOut,
    summary="Your own contact details for referrals: printed on the referrals you build",
)
def get_contact_details(request):
    return _contact_out(request.user)


@router.put(
    "/me/contact-details",
    response=ContactDetailsOut,
    summary="Set your own job title and work phone for referrals (anyone signed in)",
    description="Your email address stays the administrator's to set: password resets go to it.",
)
def set_contact_details(request, payload: ContactDetailsIn):
    data = _checked(ContactDetailsForm, payload.dict())
    partners.set_contact(request, **data, via="api")
    return _contact_out(request.user)
