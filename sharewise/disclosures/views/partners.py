"""The partner directory (kept by the safeguarding lead) and one's own contact details
for referrals. Changes go through disclosures.partners, as the API's do."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from sharewise.disclosures import access, partners
from sharewise.disclosures.forms import ContactDetailsForm, PartnerForm
from sharewise.disclosures.models import Partner


@login_required
@require_safe
def partner_list(request):
    access.require(request.user, "disclosures.see_partners")
    retired = request.GET.get("show") == "retired"
    return render(
        request,
        "disclosures/partners.html",
        {
            "nav": "disclosures",
            "partners": access.partners_visible_to(request.user, retired=retired),
            "retired": retired,
            "can_keep": request.user.has_perm("disclosures.keep_partners"),
        },
    )


@login_required
def add_partner(request):
    access.require(request.user, "disclosures.keep_partners")
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        partner = partners.add(request, form.cleaned_data)
        messages.success(request, f"Added {partner} to the partner directory.")
        return redirect("partner_list")
    return render(
        request,
        "disclosures/partner_form.html",
        {"nav": "disclosures", "form": form, "title": "Add a partner", "button": "Add partner"},
    )


@login_required
def edit_partner(request, partner_id):
    partner = access.get_partner_to_keep(request, partner_id)
    form = PartnerForm(request.POST or None, instance=Partner.objects.get(pk=partner.pk))
    if request.method == "POST":
        if partner.retired_at is not None:
            raise PermissionDenied
        if form.is_valid():
            partners.change(request, partner, form.cleaned_data)
            messages.success(request, f"Saved the changes to {partner.name}.")
            return redirect("partner_list")
    return render(
        request,
        "disclosures/partner_form.html",
        {
            "nav": "disclosures",
            "form": form,
            "partner": partner,
            "title": f"Change {partner}",
            "button": "Save changes",
        },
    )


@login_required
@require_POST
def retire_partner(request, partner_id):
    partner = partners.retire(request, access.get_partner_to_keep(request, partner_id))
    messages.success(
        request,
        f"Retired {partner}: new referrals cannot go to them; past ones still name them.",
    )
    return redirect("partner_list")


@login_required
def contact_details(request):
    """The member of staff's own phone and job title, printed on their referrals."""
    form = ContactDetailsForm(request.POST or None, initial=partners.contact_of(request.user))
    if request.method == "POST" and form.is_valid():
        partners.set_contact(request, **form.cleaned_data)
        messages.success(request, "Saved your contact details for referrals.")
        after = request.GET.get("next", "")
        if after and url_has_allowed_host_and_scheme(after, allowed_hosts={request.get_host()}):
            return redirect(after)
        return redirect("contact_details")
    return render(
        request,
        "disclosures/contact_details.html",
        {"form": form, "email": request.user.email},
    )
