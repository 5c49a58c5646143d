"""The sharing decision wizard: start (or carry on) a draft, each step, and the
recommendation, where the decision is recorded."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from sharewise.patterns.models import Alert
from sharewise.people.access import get_person_for
from sharewise.policy import store
from sharewise.sharing import access, decisions, framework, wizard
from sharewise.sharing import forms as f
from sharewise.sharing.models import ConsentRecord, Draft, SharingDecision


def _begun(request, person, alert) -> Draft | None:
    """The draft this user already began from the same case, to carry on."""
    same_case = (
        Q(alert=alert) | Q(alert__case_id=alert.case_id) if alert.case_id else Q(alert=alert)
    )
    return (
        Draft.objects.filter(author=request.user, person=person, decision__isnull=True)
        .filter(same_case)
        .order_by("-updated_at", "-id")
        .first()
    )


@login_required
@require_POST
def start_decision(request, person_id):
    if not request.user.has_perm("sharing.use_framework"):
        raise PermissionDenied
    person = get_person_for(request, person_id, action="started sharing decision")
    alert = None
    if alert_id := request.POST.get("alert"):
        alert = (
            Alert.objects.visible_to(request.user)
            .filter(pk=alert_id if str(alert_id).isdigit() else 0, person=person)
            .first()
        )
        if alert is None:
            raise Http404("No such alert")
        if (begun := _begun(request, person, alert)) is not None:
            messages.info(request, "You had already started this decision: carry on from here.")
            return redirect("wizard_step", draft_id=begun.pk, step=begun.step or "purpose")
    draft = Draft.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        alert=alert,
        author=request.user,
        answers=wizard.initial_answers(person, request.user, alert),
    )
    return redirect("wizard_step", draft_id=draft.pk, step="purpose")


def _save_step(request, draft, step, form):
    """Keep the step's answers (checked when going on, as typed otherwise) and go where
    the button asked; None when the answers need fixing first."""
    go = request.POST.get("go", "next")
    jump = go.removeprefix("to:") if go.startswith("to:") else None
    if jump is not None and jump not in f.STEP_NAMES:
        raise Http404("No such step")
    if go == "next" and not form.is_valid():
        return None  # show the errors; nothing is lost
    values = form.cleaned_data if go == "next" else wizard.raw(form)
    cleared = {name: None for name in form.fields}  # an answer taken back is gone
    if step == "risk":
        values = {**values, **form.responses(values)}
    answers = {**draft.answers, **cleared, **values}
    draft.answers = {k: v for k, v in answers.items() if v not in (None, "", [])}
    draft.step = step
    draft.updated_at = timezone.now()
    draft.save(update_fields=["answers", "step", "updated_at"])
    index = f.STEP_NAMES.index(step)
    if jump is not None:  # a step's name, chosen with this step's answers kept
        return redirect("wizard_step", draft_id=draft.pk, step=jump)
    if go == "back":
        return redirect("wizard_step", draft_id=draft.pk, step=f.STEP_NAMES[max(index - 1, 0)])
    if go == "advice":
        return redirect(f"{reverse('ask_advice')}?draft={draft.pk}&step={step}")
    if go == "save":
        messages.success(
            request, "Your answers are saved. Carry on from 'Sharing' on the person's page."
        )
        return redirect("person_sharing", person_id=draft.person.pk)
    return redirect("wizard_step", draft_id=draft.pk, step=f.STEP_NAMES[index + 1])


@login_required
def wizard_step(request, draft_id, step):
    if step not in f.STEP_NAMES:
        raise Http404("No such step")
    if not request.user.has_perm("sharing.use_framework"):
        raise PermissionDenied
    draft = access.get_draft_for(request, draft_id)
    draft.concerns = access.recent_concerns(
        draft.person, request.user, draft.answers.get("concern_ids") or ()
    )
    if step == "recommendation":
        return _recommendation(request, draft)
    facts, assessment = decisions.facts_for(
        draft.person, draft.answers.get("concern_ids") or (), viewer=request.user
    )
    form, policy = wizard.step_form(step, draft, request.POST or None, facts)
    if request.method == "POST" and (went := _save_step(request, draft, step, form)):
        return went
    standing_decision, waiting_decisions = decisions.standing_and_waiting(draft.person)
    return render(
        request,
        "sharing/wizard.html",
        {
            "nav": "people",
            "person": draft.person,
            "draft": draft,
            "form": form,
            "step": step,
            "title": dict((n, label) for n, label, _ in f.STEPS)[step],
            "words": wizard.their_words(draft) if step in ("consent", "risk") else [],
            "steps": wizard.steps(step),
            "number": f.STEP_NAMES.index(step) + 1,
            "total": len(f.STEP_NAMES),
            "why": policy.why.get(f.WHY_KEY[step], ""),
            "grounds_why": [(g.label, g.why) for g in policy.override_grounds],
            "facts": facts,
            "assessment": assessment,
            "consent": ConsentRecord.objects.filter(person=draft.person).first(),
            "advice": list(draft.advice.select_related("answered_by")),
            "standing_decision": standing_decision,
            "waiting_decisions": waiting_decisions,
        },
    )


def _record(request, draft, form):
    """Record the decision from the draft; (redirect, None) when recorded, else (None,
    the earlier steps whose answers need changing)."""
    try:
        decision = decisions.record_decision(
            request,
            draft.person,
            draft.answers,
            wizard.as_record(draft, form.cleaned_data),
            draft=draft,
            alert=draft.alert,
        )
    except ValidationError as error:
        return None, wizard.add_errors_by_step(form, error)
    if decision.status == SharingDecision.Status.AWAITING_COUNTERSIGN:
        messages.success(request, "Decision recorded. It now waits to be countersigned.")
    else:
        messages.success(request, "Decision recorded and signed.")
    return redirect("sharing_decision", decision_id=decision.pk), []


def _recommendation(request, draft):
    person = draft.person
    answers = dict(draft.answers)
    try:
        recommendation, facts, version = decisions.assess(
            person, answers, answers.get("concern_ids") or (), viewer=request.user
        )
    except ValidationError as error:
        messages.error(request, "One of your answers needs changing before the recommendation.")
        step = wizard.step_of(next(iter(error.message_dict)))
        return redirect("wizard_step", draft_id=draft.pk, step=step)
    _, policy = store.in_force(person.organisation_id, "sharing")
    can_record = request.user.has_perm("sharing.record_decision")
    stands, waiting = decisions.standing_and_waiting(person)
    form = f.DecisionForm(
        request.POST or None,
        initial=wizard.decision_initial(recommendation, answers, policy),
        policy=policy,
        standing=stands,
    )
    elsewhere = []
    if request.method == "POST":
        # Kept whatever happens next, so going back to fix an answer loses nothing here.
        draft.answers = {**draft.answers, "decision": wizard.raw(form)}
        draft.updated_at = timezone.now()
        draft.save(update_fields=["answers", "updated_at"])
        go = request.POST.get("go", "")
        if go == "back":
            return redirect("wizard_step", draft_id=draft.pk, step=f.STEP_NAMES[-2])
        if go.startswith("to:") and go[3:] in f.STEP_NAMES:
            return redirect("wizard_step", draft_id=draft.pk, step=go[3:])
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            went, elsewhere = _record(request, draft, form)
            if went:
                return went
    return render(
        request,
        "sharing/recommendation.html",
        {
            "nav": "people",
            "person": person,
            "draft": draft,
            "form": form,
            "steps": wizard.steps("recommendation"),
            "number": len(f.STEP_NAMES),
            "total": len(f.STEP_NAMES),
            "rec": recommendation,
            "facts": facts,
            "bases": [
                (
                    b,
                    framework.describe_basis(b, policy),
                    policy.ground(b.ground).label if policy.ground(b.ground) else "Consent",
                )
                for b in recommendation.bases
            ],
            "grounds": [policy.ground(g).label for g in recommendation.grounds],
            "version": version,
            "can_record": can_record,
            "elsewhere": elsewhere,
            "advice": list(draft.advice.select_related("answered_by")),
            "standing_decision": stands,
            "waiting_decisions": waiting,
        },
    )
