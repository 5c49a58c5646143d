"""Pages for consent, capacity, advice and the sharing decision wizard. Each fetches
the person through get_person_for (scope checked, read written to the trail)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from sharewise.concerns.models import Concern, ConcernPerson
from sharewise.organisations import stepup
from sharewise.organisations.access import scope_for
from sharewise.patterns.models import Alert, AlertConcern
from sharewise.people import panels
from sharewise.people.access import get_person_for
from sharewise.policy import store
from sharewise.security.redirects import return_address
from sharewise.sharing import decisions, framework
from sharewise.sharing import forms as f
from sharewise.sharing.models import (
    AdviceRequest,
    CapacityAssessment,
    ConsentRecord,
    Draft,
    SharingDecision,
)


def _add_errors(form, error: ValidationError):
    for field, problems in error.message_dict.items():
        target = field if field in form.fields else None
        for problem in problems:
            form.add_error(target, problem)


def recent_concerns(person, user, chosen=(), limit=30):
    """The person's latest concerns this user may see, and any already chosen."""
    ids = person.record_ids() if hasattr(person, "record_ids") else [person.pk]
    about = Concern.objects.visible_to(user).filter(
        pk__in=ConcernPerson.objects.filter(person_id__in=ids).values("concern_id")
    )
    concerns = list(about.order_by("-occurred_at")[:limit])
    shown = {c.pk for c in concerns}
    if missing := [int(i) for i in chosen if int(i) not in shown]:
        concerns += list(about.filter(pk__in=missing).order_by("-occurred_at"))
    for c in concerns:
        local = timezone.localtime(c.occurred_at)
        c.label = f"{local:%-d %B %Y}: {c.facts[:90]}{'…' if len(c.facts) > 90 else ''}"
    return concerns


# Person's sharing record ---------------------------------------------------------------


@login_required
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
            "drafts": Draft.objects.filter(
                person=person, author=request.user, decision__isnull=True
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
    concerns = recent_concerns(person, request.user)
    form = f.ConsentForm(request.POST or None, concerns=concerns)
    if request.method == "POST" and form.is_valid():
        try:
            decisions.record_consent(request, person, form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
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
            _add_errors(form, error)
        else:
            messages.success(
                request, f"Capacity assessment recorded: {assessment.conclusion_label.lower()}."
            )
            return redirect(back or reverse("capacity", args=[assessment.pk]))
    return render(
        request, "sharing/capacity_form.html", {"nav": "people", "person": person, "form": form}
    )


@login_required
def capacity_page(request, assessment_id):
    assessment = (
        CapacityAssessment.objects.visible_to(request.user)
        .select_related("assessor", "person")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        raise Http404("No such assessment")
    person = get_person_for(request, assessment.person_id, action="viewed capacity assessment")
    return render(
        request,
        "sharing/capacity.html",
        {"nav": "people", "person": person, "a": assessment},
    )


# The wizard -----------------------------------------------------------------------------


def _initial_answers(person, user, alert=None) -> dict:
    """Start from what is known: the latest consent record and capacity assessment,
    and the alert's concerns."""
    answers: dict = {}
    consent = ConsentRecord.objects.filter(person=person).first()
    if consent:
        answers["consent"] = consent.outcome
        answers["not_sought_reason"] = consent.not_sought_reason
        answers["capacity"] = consent.capacity
    _, policy = store.in_force(person.organisation_id, "sharing")
    if assessment := decisions.current_assessment(person, policy):
        answers["capacity"] = assessment.conclusion
        if assessment.best_interests:
            answers["best_interests"] = assessment.best_interests
    if alert is not None:
        # Every concern of the case for decision it waits in (its rules decided together).
        links = (
            AlertConcern.objects.filter(alert__case_id=alert.case_id)
            if alert.case_id
            else AlertConcern.objects.filter(alert=alert)
        )
        visible = Concern.objects.visible_to(user).filter(pk__in=links.values("concern_id"))
        answers["concern_ids"] = [str(pk) for pk in visible.values_list("pk", flat=True)]
        titles = [alert.title]
        if alert.case_id:
            titles = list(
                dict.fromkeys(
                    a.title
                    for a in Alert.objects.visible_to(user)
                    .filter(case_id=alert.case_id)
                    .order_by("raised_at", "id")
                )
            )
        answers["question"] = (
            f"Case for decision {alert.case_id or alert.pk} ({', '.join(titles).lower()}): "
            "should we share what we know, and with whom?"
        )
    return answers


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
        # Starting again from the same case carries on the draft already begun.
        same_case = (
            Q(alert=alert) | Q(alert__case_id=alert.case_id) if alert.case_id else Q(alert=alert)
        )
        begun = (
            Draft.objects.filter(author=request.user, person=person, decision__isnull=True)
            .filter(same_case)
            .order_by("-updated_at", "-id")
            .first()
        )
        if begun is not None:
            messages.info(request, "You had already started this decision: carry on from here.")
            return redirect("wizard_step", draft_id=begun.pk, step=begun.step or "purpose")
    draft = Draft.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        alert=alert,
        author=request.user,
        answers=_initial_answers(person, request.user, alert),
    )
    return redirect("wizard_step", draft_id=draft.pk, step="purpose")


def _get_draft(request, draft_id) -> Draft:
    """A draft the user wrote, or (for a lead) any in their organisation, about someone
    they may see; the read goes to the trail."""
    scope = scope_for(request.user)
    draft = (
        Draft.objects.filter(pk=draft_id, decision__isnull=True)
        .filter(Q(author=request.user) | Q(organisation_id__in=scope.lead_org_ids))
        .select_related("alert")
        .first()
    )
    if draft is None:
        raise Http404("No such draft")
    draft.person = get_person_for(request, draft.person_id, action="opened sharing decision")
    return draft


def prompts(facts, policy) -> list[tuple[str, str, str, bool, str]]:
    """(key, question, evidence, is a cue, its ground in words) for each ground the
    record proposes and each question its words raise, as the risk step asks them."""
    found = [
        (p.key, policy.ground(p.ground).label, "; ".join(p.evidence), False, "")
        for p in framework.proposed(facts)
    ]
    for cue in facts.cues:
        said = ", ".join(f"“{w}”" for w in cue.words)
        evidence = f"{said} ({'; '.join(cue.evidence)})"
        found.append((cue.key, cue.question, evidence, True, policy.ground(cue.ground).label))
    return found


def _step_form(step, draft, data=None, facts=None):
    person = draft.person
    _, policy = store.in_force(person.organisation_id, "sharing")
    form_class = {name: cls for name, _, cls in f.STEPS}[step]
    kwargs = {}
    if step == "purpose":
        kwargs["concerns"] = draft.concerns
    if step == "risk":
        kwargs["policy"] = policy
        kwargs["prompts"] = prompts(facts, policy)
    return form_class(data, initial=dict(draft.answers), **kwargs), policy


def _raw(form) -> dict:
    """The step's answers as typed, unchecked: saved when going back or pausing."""
    raw = {}
    for name, field in form.fields.items():
        value = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        if value not in (None, "", []):
            raw[name] = value
    return raw


@login_required
def wizard_step(request, draft_id, step):
    if step not in f.STEP_NAMES:
        raise Http404("No such step")
    if not request.user.has_perm("sharing.use_framework"):
        raise PermissionDenied
    draft = _get_draft(request, draft_id)
    draft.concerns = recent_concerns(
        draft.person, request.user, draft.answers.get("concern_ids") or ()
    )
    if step == "recommendation":
        return _recommendation(request, draft)
    facts, assessment = decisions.facts_for(
        draft.person, draft.answers.get("concern_ids") or (), viewer=request.user
    )
    form, policy = _step_form(step, draft, request.POST or None, facts)
    index = f.STEP_NAMES.index(step)
    if request.method == "POST":
        go = request.POST.get("go", "next")
        jump = go.removeprefix("to:") if go.startswith("to:") else None
        if jump is not None and jump not in f.STEP_NAMES:
            raise Http404("No such step")
        if go == "next" and not form.is_valid():
            pass  # show the errors; nothing is lost
        else:
            values = form.cleaned_data if go == "next" else _raw(form)
            cleared = {name: None for name in form.fields}  # an answer taken back is gone
            if step == "risk":
                values = {**values, **form.responses(values)}
            draft.answers = {**draft.answers, **cleared, **values}
            draft.answers = {k: v for k, v in draft.answers.items() if v not in (None, "", [])}
            draft.step = step
            draft.updated_at = timezone.now()
            draft.save(update_fields=["answers", "step", "updated_at"])
            if jump is not None:  # a step's name, chosen with this step's answers kept
                return redirect("wizard_step", draft_id=draft.pk, step=jump)
            if go == "back":
                return redirect(
                    "wizard_step", draft_id=draft.pk, step=f.STEP_NAMES[max(index - 1, 0)]
                )
            if go == "advice":
                return redirect(f"{reverse('ask_advice')}?draft={draft.pk}&step={step}")
            if go == "save":
                messages.success(
                    request, "Your answers are saved. Carry on from 'Sharing' on the person's page."
                )
                return redirect("person_sharing", person_id=draft.person.pk)
            return redirect("wizard_step", draft_id=draft.pk, step=f.STEP_NAMES[index + 1])
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
            "words": _their_words(draft) if step in ("consent", "risk") else [],
            "steps": _steps(step),
            "number": index + 1,
            "total": len(f.STEP_NAMES),
            "why": policy.why.get(f.WHY_KEY[step], ""),
            "grounds_why": [(g.label, g.why) for g in policy.override_grounds],
            "facts": facts,
            "assessment": assessment,
            "consent": ConsentRecord.objects.filter(person=draft.person).first(),
            "advice": list(draft.advice.select_related("answered_by")),
            **dict(
                zip(
                    ("standing_decision", "waiting_decisions"),
                    decisions.standing_and_waiting(draft.person),
                    strict=True,
                )
            ),
        },
    )


def _their_words(draft) -> list:
    """What the person said in the chosen concerns: the heart of a refusal, and often
    the sign of fear or pressure behind it."""
    chosen = {int(i) for i in draft.answers.get("concern_ids") or ()}
    return [
        (timezone.localtime(c.occurred_at), c.persons_words)
        for c in sorted(draft.concerns, key=lambda c: c.occurred_at)
        if c.pk in chosen and c.persons_words
    ]


def _steps(current):
    labels = [(name, label) for name, label, _ in f.STEPS] + [("recommendation", "Recommendation")]
    return [(name, label, name == current) for name, label in labels]


def _recommendation(request, draft):
    person = draft.person
    answers = {k: v for k, v in draft.answers.items()}
    version, policy = store.in_force(person.organisation_id, "sharing")
    try:
        recommendation, facts, _ = decisions.assess(
            person, answers, answers.get("concern_ids") or (), viewer=request.user
        )
    except ValidationError as error:
        wrong = next(iter(error.message_dict))
        step = next((name for name, _, cls in f.STEPS if wrong in cls.base_fields), f.STEP_NAMES[0])
        messages.error(request, "One of your answers needs changing before the recommendation.")
        return redirect("wizard_step", draft_id=draft.pk, step=step)
    can_record = request.user.has_perm("sharing.record_decision")
    initial = {
        "outcome": recommendation.outcome
        if recommendation.outcome in framework.SHARING
        or recommendation.outcome == framework.DO_NOT_SHARE
        else None,
        "override_grounds": list(recommendation.grounds),
        "necessity": answers.get("proportionality", ""),
        "review_date": timezone.localdate() + timedelta(days=policy.review_days),
    }
    if recommendation.bases and recommendation.outcome != framework.SHARE_DEIDENTIFIED:
        first = recommendation.bases[0]
        initial |= {
            "article_6": first.article_6[0],
            "article_9": first.article_9[0],
            "schedule_1": first.schedule_1[0] if first.schedule_1 else "",
        }
    initial |= draft.answers.get("decision") or {}  # what they chose before going back
    stands, waiting = decisions.standing_and_waiting(person)
    form = f.DecisionForm(request.POST or None, initial=initial, policy=policy, standing=stands)
    elsewhere = []
    if request.method == "POST":
        # Kept whatever happens next, so going back to fix an answer loses nothing here.
        draft.answers = {**draft.answers, "decision": _raw(form)}
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
            try:
                decision = decisions.record_decision(
                    request,
                    person,
                    draft.answers,
                    _as_record(draft, form.cleaned_data),
                    draft=draft,
                    alert=draft.alert,
                )
            except ValidationError as error:
                elsewhere = _add_errors_by_step(form, error)
            else:
                if decision.status == SharingDecision.Status.AWAITING_COUNTERSIGN:
                    messages.success(
                        request, "Decision recorded. It now waits to be countersigned."
                    )
                else:
                    messages.success(request, "Decision recorded and signed.")
                return redirect("sharing_decision", decision_id=decision.pk)
    return render(
        request,
        "sharing/recommendation.html",
        {
            "nav": "people",
            "person": person,
            "draft": draft,
            "form": form,
            "steps": _steps("recommendation"),
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


# Where a decision's own field is answered in the wizard.
FIELD_STEPS = {
    "question": "purpose",
    "purpose": "purpose",
    "concern_ids": "purpose",
    "recipient_organisation": "recipient",
    "recipient_role": "recipient",
    "recipient_name": "recipient",
    "what_shared": "recipient",
    "channel": "recipient",
    "person_told": "telling",
    "not_told_reason": "telling",
    "answers.accepted": "risk",
    "answers.rebuttals": "risk",
}


def _add_errors_by_step(form, error: ValidationError) -> list[tuple[str, str]]:
    """Errors on the decision form, and for answers given on earlier steps, those
    steps (name, label) to go back to."""
    labels = {name: label for name, label, _ in f.STEPS}
    steps = []
    for field, problems in error.message_dict.items():
        step = FIELD_STEPS.get(field) or next(
            (name for name, _, cls in f.STEPS if field in cls.base_fields), None
        )
        for problem in problems:
            if field in form.fields:
                form.add_error(field, problem)
            else:
                form.add_error(None, f"{problem} (under '{labels.get(step, 'earlier')}')")
        if field not in form.fields and step and (step, labels[step]) not in steps:
            steps.append((step, labels[step]))
    return steps


def _as_record(draft, cleaned) -> dict:
    """The decision's own fields, from the wizard's answers and the decision form.
    (The framework's purpose answer is yes/no/unsure; the record's purpose is words.)"""
    a = draft.answers
    return {
        "concern_ids": a.get("concern_ids") or [],
        "question": a.get("question", ""),
        "purpose": a.get("purpose_text", ""),
        "recipient_organisation": a.get("recipient", ""),
        "recipient_role": a.get("recipient_role", ""),
        "recipient_name": a.get("recipient_name", ""),
        "what_shared": a.get("content", ""),
        "channel": a.get("channel", ""),
        "person_told": a.get("tell_person", ""),
        "not_told_reason": a.get("not_told_reason", ""),
        **cleaned,
    }


# Decisions ---------------------------------------------------------------------------


def get_decision_for(request, decision_id, action="viewed sharing decision") -> SharingDecision:
    decision = (
        SharingDecision.objects.visible_to(request.user)
        .select_related(
            "person",
            "decided_by",
            "countersigned_by",
            "policy_version",
            "information_policy",
            "appropriate_policy",
            "consent",
            "capacity_assessment",
            "alert",
        )
        .filter(pk=decision_id)
        .first()
    )
    if (
        decision is None
        or not request.user.has_perm("sharing.see_decisions")
        and decision.decided_by_id != request.user.pk
    ):
        raise Http404("No such decision")
    get_person_for(request, decision.person_id, action=action)
    return decision


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
def decision_page(request, decision_id):
    decision = get_decision_for(request, decision_id)
    return render(request, "sharing/decision.html", _decision_context(request, decision))


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


@login_required
@require_POST
@stepup.confirm_it_is_you("countersign this sharing decision")
def countersign(request, decision_id):
    decision = get_decision_for(request, decision_id, action="opened decision to countersign")
    if not request.user.has_perm("sharing.countersign", decision):
        raise PermissionDenied
    form = f.CountersignForm(request.POST)
    if form.is_valid():
        try:
            decisions.countersign(
                request, decision, form.cleaned_data["agree"] == "yes", form.cleaned_data["note"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Your countersignature is recorded.")
            return redirect("sharing_decision", decision_id=decision.pk)
    return render(request, "sharing/decision.html", _decision_context(request, decision, form))


@login_required
def amend_decision(request, decision_id):
    if not request.user.has_perm("sharing.record_decision"):
        raise PermissionDenied
    decision = get_decision_for(request, decision_id, action="opened decision to amend")
    fields = decisions.AMENDABLE
    form = f.AmendForm(request.POST or None, initial={n: getattr(decision, n) for n in fields})
    if request.method == "POST" and form.is_valid():
        changes = {n: form.cleaned_data[n] for n in fields if n in form.changed_data}
        try:
            decisions.amend(request, decision, changes, form.cleaned_data["reason"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Amendment recorded. The original stays in the record.")
            return redirect("sharing_decision", decision_id=decision.pk)
    return render(
        request,
        "sharing/amend.html",
        {"nav": "people", "d": decision, "person": decision.person, "form": form},
    )


@login_required
def sharing_work(request):
    """What waits: decisions to countersign, reviews due, questions to answer, drafts."""
    if not request.user.has_perm("sharing.see_decisions"):
        raise PermissionDenied
    visible = SharingDecision.objects.visible_to(request.user).select_related(
        "person", "decided_by"
    )
    waiting = [
        d
        for d in visible.filter(status=SharingDecision.Status.AWAITING_COUNTERSIGN)
        if request.user.has_perm("sharing.countersign", d)
    ]
    due = list(
        visible.standing_refusals()
        .filter(review_date__lte=timezone.localdate() + timedelta(days=7))
        .order_by("review_date")
    )
    questions = (
        list(AdviceRequest.objects.visible_to(request.user).filter(answered_at__isnull=True))
        if request.user.has_perm("sharing.answer_advice")
        else []
    )
    drafts = list(
        Draft.objects.filter(author=request.user, decision__isnull=True).select_related("person")
    )
    recent = list(visible.order_by("-decided_at", "-id")[:25])
    people = {d.person_id for d in waiting + due + recent} | {d.person_id for d in drafts}
    people |= {q.person_id for q in questions if q.person_id}
    decisions.trail.record_reads(
        request,
        "listed sharing work",
        sorted(people),
        organisation_id=scope_for(request.user).organisation_id,
    )
    return render(
        request,
        "sharing/work.html",
        {
            "nav": "sharing",
            "waiting": waiting,
            "due": due,
            "questions": questions,
            "drafts": drafts,
            "recent": recent,
            "today": timezone.localdate(),
        },
    )


# Advice ------------------------------------------------------------------------------


@login_required
def ask_advice(request):
    if not request.user.has_perm("sharing.ask_advice"):
        raise PermissionDenied
    draft = None
    person = None
    if draft_id := request.GET.get("draft"):
        draft = _get_draft(request, draft_id if draft_id.isdigit() else 0)
        person = draft.person
    elif person_id := request.GET.get("person"):
        person = get_person_for(request, person_id, action="opened advice form")
    step = request.GET.get("step", "")
    if step not in f.STEP_NAMES:
        step = ""
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
            _add_errors(form, error)
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
    advice = (
        AdviceRequest.objects.visible_to(request.user)
        .select_related("asked_by", "answered_by", "person", "draft")
        .filter(pk=advice_id)
        .first()
    )
    if advice is None:
        raise Http404("No such question")
    if advice.person_id:
        get_person_for(request, advice.person_id, action="viewed advice request")
    can_answer = not advice.answered and request.user.has_perm("sharing.answer_advice")
    form = f.AnswerForm(request.POST or None)
    if request.method == "POST":
        if not can_answer:
            raise PermissionDenied
        if form.is_valid():
            try:
                decisions.answer_advice(request, advice, form.cleaned_data["answer"])
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, "Your advice has been sent.")
                return redirect("advice", advice_id=advice.pk)
    return render(
        request,
        "sharing/advice.html",
        {
            "nav": "sharing",
            "advice": advice,
            "answers": f.answers_in_words(
                advice.draft.answers,
                store.in_force(advice.organisation_id, "sharing")[1].ground_labels(),
            )
            if advice.draft
            else [],
            "form": form,
            "can_answer": can_answer,
        },
    )
