"""Asking the safeguarding lead for advice, and reading or answering a question."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from sharewise.forms import add_errors
from sharewise.organisations.access import scope_for
from sharewise.people.access import get_person_for
from sharewise.policy import store
from sharewise.sharing import access, decisions
from sharewise.sharing import forms as f


def _asked_about(request):
    """(draft, person, step) the question is asked from, if any."""
    draft = person = None
    if draft_id := request.GET.get("draft"):
        draft = access.get_draft_for(request, draft_id)
        person = draft.person
    elif person_id := request.GET.get("person"):
        person = get_person_for(request, person_id, action="opened advice form")
    step = request.GET.get("step", "")
    return draft, person, step if step in f.STEP_NAMES else ""


@login_required
def ask_advice(request):
    if not request.user.has_perm("sharing.ask_advice"):
        raise PermissionDenied
    draft, person, step = _asked_about(request)
    form = f.AdviceForm(request.POST or None, initial={"name_person": draft is not None})
    if request.method == "POST" and form.is_valid():
        linked = person if (form.cleaned_data["name_person"] or draft) else None
        organisation_id = (
            person.organisation_id if person else scope_for(request.user).organisation_id
        )
        try:
            advice = decisions.ask_advice(
                request,
                organisation_id,
                form.cleaned_data["question"],
                person=linked,
                draft=draft,
                step=step,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                "Your question has gone to the safeguarding lead. You will be notified of the answer.",
            )
            if draft:
                return redirect("wizard_step", draft_id=draft.pk, step=step or "purpose")
            return redirect("advice", advice_id=advice.pk)
    return render(
        request,
        "sharing/ask_advice.html",
        {"nav": "sharing", "form": form, "draft": draft, "person": person, "step": step},
    )


@login_required
def advice_page(request, advice_id):
    advice = access.get_advice_for(request, advice_id)
    can_answer = not advice.answered and request.user.has_perm("sharing.answer_advice")
    form = f.AnswerForm(request.POST or None)
    if request.method == "POST":
        if not can_answer:
            raise PermissionDenied
        if form.is_valid():
            try:
                decisions.answer_advice(request, advice, form.cleaned_data["answer"])
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Your advice has been sent.")
                return redirect("advice", advice_id=advice.pk)
    labels = store.in_force(advice.organisation_id, "sharing")[1].ground_labels()
    return render(
        request,
        "sharing/advice.html",
        {
            "nav": "sharing",
            "advice": advice,
            "answers": f.answers_in_words(advice.draft.answers, labels) if advice.draft else [],
            "form": form,
            "can_answer": can_answer,
        },
    )
