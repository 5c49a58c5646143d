"""A person's sharing record, consent and capacity assessments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from sharewise.forms import add_errors
from sharewise.people.access import get_person_for
from sharewise.security.redirects import return_address
from sharewise.sharing import access, decisions
from sharewise.sharing import forms as f
from sharewise.sharing.models import CapacityAssessment, ConsentRecord, SharingDecision


@login_required
@require_safe
def person_sharing(request, person_id):
    person = get_person_for(request, person_id, action="viewed sharing record")
    return render(
        request,
        "sharing/person_sharing.html",
        {
            "nav": "people",
            "person": person,
            "consents": ConsentRecord.objects.filter(person=person).select_related(
                "asked_by", "capacity_assessment"
            ),
            "assessments": CapacityAssessment.objects.filter(person=person).select_related(
                "assessor"
            ),
            "decisions": SharingDecision.objects.filter(person=person).select_related("decided_by"),
            "drafts": access.drafts_visible_to(request.user).filter(
                person=person, author=request.user
            ),
            "can_use": request.user.has_perm("sharing.use_framework"),
        },
    )


@login_required
def record_consent(request, person_id):
    if not request.user.has_perm("sharing.record_consent"):
        raise PermissionDenied
    person = get_person_for(request, person_id, action="opened consent form")
    done = return_address(request, reverse("person_sharing", args=[person.pk]))
    concerns = access.recent_concerns(person, request.user)
    form = f.ConsentForm(request.POST or None, concerns=concerns)
    if request.method == "POST" and form.is_valid():
        try:
            decisions.record_consent(request, person, form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Consent recorded.")
            return redirect(done)
    return render(
        request,
        "sharing/consent_form.html",
        {"nav": "people", "person": person, "form": form},
    )


@login_required
def record_capacity(request, person_id):
    if not request.user.has_perm("sharing.assess_capacity"):
        raise PermissionDenied
    person = get_person_for(request, person_id, action="opened capacity assessment form")
    back = return_address(request, "")
    form = f.CapacityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = decisions.record_capacity(request, person, form.as_data())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, f"Capacity assessment recorded: {assessment.conclusion_label.lower()}."
            )
            return redirect(back or reverse("capacity", args=[assessment.pk]))
    return render(
        request, "sharing/capacity_form.html", {"nav": "people", "person": person, "form": form}
    )


@login_required
@require_safe
def capacity_page(request, assessment_id):
    assessment = access.get_assessment_for(request, assessment_id)
    return render(
        request,
        "sharing/capacity.html",
        {"nav": "people", "person": assessment.person, "a": assessment},
    )
