"""A sharing decision: its record, countersigning, amending; and the sharing work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sharewise.forms import add_errors
from sharewise.organisations import stepup
from sharewise.people import panels
from sharewise.policy import store
from sharewise.sharing import access, decisions
from sharewise.sharing import forms as f
from sharewise.sharing.models import SharingDecision
from sharewise.sharing.work import work_for


def _record_said(decision, labels) -> list[tuple[str, str, str]]:
    """What the record proposed when the decision was made, and the decider's answer."""
    facts, answers = decision.facts, decision.answers
    accepted = set(answers.get("accepted") or ())
    rebuttals = answers.get("rebuttals") or {}

    def answer(key):
        if key in accepted:
            return "accepted"
        if (rebuttals.get(key) or "").strip():
            return f"set aside: {rebuttals[key]}"
        return "not answered"

    said = [
        (labels.get(p["ground"], p["ground"]), "; ".join(p["evidence"]), answer(p["ground"]))
        for p in facts.get("proposals") or ()
    ]
    said += [
        (c["question"], ", ".join(c["words"]), answer(f"cue:{c['code']}"))
        for c in facts.get("cues") or ()
    ]
    return said


def _basis_words(decision, policy) -> list[str]:
    words = []
    if decision.article_6:
        words.append(policy.article_6.get(decision.article_6, decision.article_6))
    if decision.article_9:
        words.append(policy.article_9.get(decision.article_9, decision.article_9))
    if decision.schedule_1:
        words.append(policy.schedule_1.get(decision.schedule_1, decision.schedule_1))
    return words


def _decision_context(request, decision, countersign_form=None) -> dict:
    _, policy = store.in_force(decision.organisation_id, "sharing")
    labels = policy.ground_labels()
    return {
        "nav": "people",
        "d": decision,
        "person": decision.person,
        "grounds": [labels.get(g, g) for g in decision.override_grounds],
        "record_said": _record_said(decision, labels),
        "basis": _basis_words(decision, policy),
        "concerns": decision.concerns.order_by("occurred_at"),
        "amendments": decision.amendments.select_related("amended_by"),
        "advice": decision.advice.select_related("asked_by", "answered_by"),
        "can_countersign": decision.status == SharingDecision.Status.AWAITING_COUNTERSIGN
        and request.user.has_perm("sharing.countersign", decision),
        "can_amend": request.user.has_perm("sharing.record_decision"),
        "countersign_form": countersign_form or f.CountersignForm(),
        "panels": panels.for_decision(request, decision),
    }


@login_required
@require_safe
def decision_page(request, decision_id):
    decision = access.get_decision_for(request, decision_id)
    return render(request, "sharing/decision.html", _decision_context(request, decision))


@login_required
@require_POST
@stepup.confirm_it_is_you("countersign this sharing decision")
def countersign(request, decision_id):
    decision = access.get_decision_for(
        request, decision_id, action="opened decision to countersign"
    )
    if not request.user.has_perm("sharing.countersign", decision):
        raise PermissionDenied
    form = f.CountersignForm(request.POST)
    if form.is_valid():
        try:
            decisions.countersign(
                request, decision, form.cleaned_data["agree"] == "yes", form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Your countersignature is recorded.")
            return redirect("sharing_decision", decision_id=decision.pk)
    return render(request, "sharing/decision.html", _decision_context(request, decision, form))


@login_required
def amend_decision(request, decision_id):
    if not request.user.has_perm("sharing.record_decision"):
        raise PermissionDenied
    decision = access.get_decision_for(request, decision_id, action="opened decision to amend")
    fields = decisions.AMENDABLE
    form = f.AmendForm(request.POST or None, initial={n: getattr(decision, n) for n in fields})
    if request.method == "POST" and form.is_valid():
        changes = {n: form.cleaned_data[n] for n in fields if n in form.changed_data}
        try:
            decisions.amend(request, decision, changes, form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Amendment recorded. The original stays in the record.")
            return redirect("sharing_decision", decision_id=decision.pk)
    return render(
        request,
        "sharing/amend.html",
        {"nav": "people", "d": decision, "person": decision.person, "form": form},
    )


@login_required
@require_safe
def sharing_work(request):
    """What waits: decisions to countersign, reviews due, questions to answer, drafts."""
    work = work_for(request)
    return render(
        request,
        "sharing/work.html",
        {
            "nav": "sharing",
            "waiting": work.waiting,
            "due": work.due,
            "questions": work.questions,
            "drafts": work.drafts,
            "recent": work.recent,
            "today": timezone.localdate(),
        },
    )
