"""The retention pages: the data protection officer's review list, legal holds on a
person's records, and destructions with their certificates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from sharewise.forms import add_errors
from sharewise.organisations import stepup
from sharewise.people.access import get_person_for
from sharewise.retention import access, certificates, operations
from sharewise.retention.forms import ApproveForm, HoldForm, LiftForm


@login_required
@require_safe
def review_page(request):
    found = access.review_for(request)
    return render(
        request,
        "retention/review.html",
        {
            "nav": "retention",
            "review": found,
            "holds": access.holds_visible_to(request.user)
            .filter(lifted_at__isnull=True)
            .select_related("placed_by")[:200],
            "destructions": access.destructions_visible_to(request.user)
            .select_related("proposed_by", "approved_by")
            .prefetch_related("people")[:50],
        },
    )


@login_required
@require_POST
def propose_destruction(request):
    try:
        destruction = operations.propose(request, request.POST.getlist("people"))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("retention_review")
    messages.success(request, "Destruction proposed: it waits for the data protection officer")
    return redirect("destruction", destruction_id=destruction.pk)


@login_required
@stepup.confirm_it_is_you("approve a destruction")
def destruction_page(request, destruction_id):
    destruction = access.get_destruction_for(request, destruction_id)
    form = ApproveForm(request.POST or None)
    if request.method == "POST":
        operations.check_may_approve(request.user)
        if form.is_valid():
            try:
                operations.approve(request, destruction, form.cleaned_data["note"])
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Records destroyed and the certificate issued")
                return redirect("destruction", destruction_id=destruction.pk)
    return render(
        request,
        "retention/destruction.html",
        {
            "nav": "retention",
            "d": destruction,
            "form": form,
            "counts": sorted(destruction.counts.items()),
        },
    )


@login_required
@require_safe
def destruction_certificate(request, destruction_id):
    destruction = access.get_destruction_for(request, destruction_id)
    pdf = certificates.pdf_of(destruction)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="destruction-certificate-{destruction.pk}.pdf"'
    )
    return response


@login_required
def legal_hold(request, person_id):
    """Place a legal hold on a person's records (the lead or the officer)."""
    operations.check_may_hold(request.user)
    person = get_person_for(request, person_id, action="viewed legal holds")
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            operations.place_hold(request, person, form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Legal hold placed: nothing about them will be destroyed")
            return redirect("retention_review")
    holds = person.legal_holds.select_related("placed_by", "lifted_by")
    return render(
        request,
        "retention/legal_hold.html",
        {"nav": "retention", "person": person, "form": form, "holds": holds},
    )


@login_required
def lift_legal_hold(request, hold_id):
    hold = access.get_hold_for(request, hold_id)
    form = LiftForm(request.POST or None)
    if request.method == "POST":
        operations.check_may_hold(request.user)
        if form.is_valid():
            try:
                operations.lift_hold(request, hold, form.cleaned_data["reason"])
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Legal hold lifted")
                return redirect("retention_review")
    return render(
        request, "retention/lift_hold.html", {"nav": "retention", "hold": hold, "form": form}
    )
