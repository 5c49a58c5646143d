"""The learning log: lessons, their measure before and after, and their actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from sharewise.forms import add_errors
from sharewise.governance import access, assigning, operations
from sharewise.governance.forms import ActionForm, LessonForm


@login_required
@require_safe
def lesson_list(request):
    lessons = access.with_effects(
        access.lessons_visible_to(request.user).prefetch_related("actions", "policy_versions")[:50]
    )
    return render(request, "governance/lessons.html", {"nav": "governance", "lessons": lessons})


@login_required
def new_lesson(request):
    versions, measures = access.lesson_choices(request.user)
    form = LessonForm(versions, measures, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["finding"] = request.POST.get("finding") or None
        try:
            lesson = operations.record_lesson(request, data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Lesson added to the learning log")
            return redirect("lesson", lesson_id=lesson.pk)
    return render(request, "governance/new_lesson.html", {"nav": "governance", "form": form})


@login_required
def lesson_page(request, lesson_id):
    lesson = access.get_lesson_for(request, lesson_id)
    form = ActionForm(lesson.organisation_id, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            operations.agree_lesson_action(request, lesson, d["description"], d["owner"], d["due"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Action agreed")
            return redirect("lesson", lesson_id=lesson.pk)
    return render(
        request,
        "governance/lesson.html",
        {
            "nav": "governance",
            "lesson": lesson,
            "effect": lesson.effect,
            "actions": lesson.actions.select_related("owner"),
            "versions": lesson.policy_versions.all(),
            "training": assigning.training_from(request, "lesson", lesson),
            "form": form,
            "today": timezone.localdate(),
        },
    )
