"""Assigning training from a lesson or from an audit finding's action (leads only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from sharewise.forms import add_errors
from sharewise.governance import access, assigning
from sharewise.governance.forms import AssignTrainingForm


def _assign(request, source, obj, back_url, back_label, done):
    org = obj.organisation_id
    form = AssignTrainingForm(
        org,
        assigning.case_choices(),
        assigning.policy_choices(),
        assigning.ROLES,
        assigning.team_choices(org),
        request.POST or None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            assigning.assign_from(request, org, source, obj.pk, form.assignment())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Training assigned")
            return done
    return render(
        request,
        "governance/assign_training.html",
        {
            "nav": "governance",
            "form": form,
            "back_url": back_url,
            "back_label": back_label,
            "source": source,
        },
    )


@login_required
def assign_from_lesson(request, lesson_id):
    assigning.check_may_assign(request.user)
    lesson = access.get_lesson_for(request, lesson_id)
    url = f"/governance/learning/{lesson.pk}/"
    return _assign(request, "lesson", lesson, url, lesson.title, redirect("lesson", lesson.pk))


@login_required
def assign_from_action(request, action_id):
    assigning.check_may_assign(request.user)
    action = access.get_action_for(request, action_id)
    if not action.finding_id:
        raise Http404("Training is assigned from an audit finding's action")
    url = f"/governance/actions/{action.pk}/"
    return _assign(request, "action", action, url, "The action", redirect("action", action.pk))
