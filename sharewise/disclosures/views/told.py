"""Recording what was told to someone under a decision to share, and what came back
from a disclosure (acknowledgement and outcome). Fetched through disclosures.access,
changed through disclosures.told and disclosures.responses, as the API does."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from sharewise.disclosures import access, responses, told
from sharewise.disclosures.agreement_forms import AcknowledgementForm, OutcomeForm, TellForm
from sharewise.disclosures.models import Disclosure, Response
from sharewise.forms import add_errors
from sharewise.policy import store


@login_required
def record_told(request, decision_id):
    access.require(request.user, "disclosures.record_told")
    decision = access.get_decision_for_told(request, decision_id)
    _, recording = store.in_force(decision.organisation_id, "recording")
    categories = sorted({c for concern in decision.concerns.all() for c in concern.categories})
    form = TellForm(
        request.POST or None,
        initial={
            "told_on": timezone.localdate(),
            "told_time": f"{timezone.localtime():%H:%M}",
            "recipient_organisation": decision.recipient_organisation,
            "recipient_role": decision.recipient_role,
            "recipient_name": decision.recipient_name,
            "channel": decision.channel if decision.channel in told.CHANNELS else "",
            "categories": categories,
            "what_said": decision.what_shared,
        },
        partners=access.partners_visible_to(request.user),
        purposes=told.purposes_for(decision.organisation_id),
        categories=list(recording.category_labels().items()),
        channels=list(Disclosure.TOLD_CHANNELS),
    )
    problem = told.decision_problem(decision)
    if request.method == "POST" and form.is_valid():
        try:
            disclosure = told.record_told(request, decision, form.data_for_told())
        except ValidationError as error:
            add_errors(form, error, {"told_at": "told_on"})
        else:
            messages.success(request, "Recorded: it is now in what has been shared.")
            return redirect("disclosure", disclosure_id=disclosure.pk)
    return render(
        request,
        "disclosures/told.html",
        {
            "nav": "people",
            "d": decision,
            "person": decision.person,
            "form": form,
            "problem": problem,
        },
    )


@login_required
def record_response(request, disclosure_id, kind):
    disclosure = access.get_disclosure_for(request, disclosure_id, action="opened disclosure")
    access.require(request.user, "disclosures.record_response")
    form_class = AcknowledgementForm if kind == Response.Kind.ACKNOWLEDGEMENT else OutcomeForm
    before = responses.current([disclosure.pk]).get(disclosure.pk, {}).get(kind)
    initial = {
        "acknowledged_on": timezone.localdate(),
        "acknowledged_time": f"{timezone.localtime():%H:%M}",
    }
    if before is not None:
        initial = {f: getattr(before, f) for f in responses.FIELDS[kind]}
        if before.acknowledged_at:
            at = timezone.localtime(before.acknowledged_at)
            initial |= {"acknowledged_on": at.date(), "acknowledged_time": f"{at:%H:%M}"}
        if before.enquiry_opened is not None:
            initial["enquiry_opened"] = "yes" if before.enquiry_opened else "no"
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            responses.record(
                request,
                disclosure,
                kind,
                form.response_data(),
                correction_reason=form.cleaned_data.get("correction_reason", ""),
            )
        except ValidationError as error:
            add_errors(form, error, {"acknowledged_at": "acknowledged_on"})
        else:
            messages.success(request, f"Recorded the {Response.Kind(kind).label.lower()}.")
            return redirect("disclosure", disclosure_id=disclosure.pk)
    return render(
        request,
        "disclosures/response_form.html",
        {
            "nav": "people",
            "x": disclosure,
            "person": disclosure.person,
            "form": form,
            "kind": kind,
            "before": before,
        },
    )
