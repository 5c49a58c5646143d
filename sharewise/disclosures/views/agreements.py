"""Information-sharing agreements: kept by the safeguarding lead, read by senders.
Changes go through disclosures.agreements, as the API's do."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sharewise.disclosures import access, agreements
from sharewise.disclosures.agreement_forms import AgreementForm
from sharewise.forms import add_errors
from sharewise.organisations.access import scope_for


@login_required
@require_safe
def agreement_list(request):
    access.require(request.user, "disclosures.see_agreements")
    past = request.GET.get("show") == "past"
    return render(
        request,
        "disclosures/agreements.html",
        {
            "nav": "disclosures",
            "agreements": access.agreements_visible_to(request.user, current=not past),
            "past": past,
            "today": timezone.localdate(),
            "can_keep": request.user.has_perm("disclosures.keep_agreements"),
        },
    )


def _form(request, initial=None):
    choices = agreements.choices_for(scope_for(request.user).organisation_id)
    return AgreementForm(request.POST or None, initial=initial, choices=choices)


@login_required
def add_agreement(request):
    access.require(request.user, "disclosures.keep_agreements")
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = agreements.add(request, form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Added the agreement {agreement.title}.")
            return redirect("agreement", agreement_id=agreement.pk)
    return render(
        request,
        "disclosures/agreement_form.html",
        {"nav": "disclosures", "form": form, "title": "Add an information-sharing agreement"},
    )


@login_required
def agreement_page(request, agreement_id):
    """One agreement (any version) and its history; the lead changes the current one
    here, which makes a new version."""
    agreement = access.get_agreement_for(request, agreement_id)
    initial = {f: getattr(agreement, f) for f in agreements.FIELDS}
    form = _form(request, initial)
    if request.method == "POST":
        agreement = access.get_agreement_for(request, agreement_id, keep=True)
        if form.is_valid():
            try:
                new = agreements.change(request, agreement, form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                if new.pk != agreement.pk:
                    messages.success(
                        request,
                        f"Saved as version {new.version}: disclosures that rested on version "
                        f"{agreement.version} still say so.",
                    )
                return redirect("agreement", agreement_id=new.pk)
    versions = []
    v = agreement
    while v is not None:
        versions.append(v)
        v = v.replaces
    return render(
        request,
        "disclosures/agreement.html",
        {
            "nav": "disclosures",
            "a": agreement,
            "form": form,
            "versions": versions,
            "terms": _terms(agreement),
            "can_keep": request.user.has_perm("disclosures.keep_agreements")
            and agreement.is_current,
            "rested_on": agreement.disclosures.count(),
        },
    )


def _terms(agreement) -> list[tuple[str, str]]:
    """Each list of the agreement in the policies' words."""
    choices = agreements.choices_for(agreement.organisation_id)
    shown = []
    for name, label in (
        ("purposes", "Purposes"),
        ("categories", "Categories of information"),
        ("article_6", "Lawful bases"),
        ("article_9", "Special category conditions"),
        ("schedule_1", "Schedule 1 conditions"),
    ):
        words = dict(choices[name])
        codes = getattr(agreement, name)
        if codes or name != "categories":
            shown.append((label, "; ".join(words.get(c, c) for c in codes) or "None"))
        else:
            shown.append((label, "Every category"))
    return shown


@login_required
@require_POST
def retire_agreement(request, agreement_id):
    agreement = agreements.retire(
        request, access.get_agreement_for(request, agreement_id, keep=True)
    )
    messages.success(
        request,
        f"Retired {agreement.title}: it no longer covers sharing; disclosures that rested "
        "on it still say so.",
    )
    return redirect("agreement_list")
