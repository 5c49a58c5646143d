"""The practice space: the casebook, working a case through the sharing decision
wizard's own questions (and, for referrals, the builder's choices), and an attempt's
results. Nothing here reads or writes a real person's record."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from sharewise.forms import NHSStyled, add_errors
from sharewise.sharing import forms as f
from sharewise.sharing import framework, wizard
from sharewise.training import access, casebook, practice, scoring


def _require(request):
    if not request.user.has_perm("training.practise"):
        raise PermissionDenied("Practice cases are for staff who work with people.")


class PurposeQuestion(f.PurposeStep):
    """The wizard's purpose question alone: a practice case has no record to describe."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("question", "purpose_text", "concern_ids"):
            del self.fields[name]


class PracticeDecision(f.DecisionForm):
    """The decision form's outcome, grounds and lawful basis: what practice marks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("necessity", "review_date", "departure_rationale", "advised_by"):
            del self.fields[name]


class ReferralChoices(NHSStyled, forms.Form):
    fields = forms.MultipleChoiceField(
        label="Which fields will the referral send?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick each one the recipient needs. Leave out what they do not.",
    )
    removed = forms.MultipleChoiceField(
        label="Whose names will you replace before it is sent?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The recipient reads their role instead, for example [another resident].",
    )

    def __init__(self, *args, offered=(), parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].choices = list(offered)
        self.fields["removed"].choices = [
            (p.key, f"{scoring.party_name(p)}: replace with [{p.role}]") for p in parties
        ]
        self.fields["fields"].needed = True
        self.fields["removed"].needed = True


def _sections(case, facts, sharing, referrals, data=None):
    """(heading, form) for each question of the wizard the case asks, in its order."""
    sections = [
        ("Purpose", PurposeQuestion(data)),
        ("The information", f.InformationStep(data)),
        ("Consent and capacity", f.ConsentStep(data)),
        (
            "Risk and grounds",
            f.RiskStep(data, policy=sharing, prompts=wizard.prompts(facts, sharing)),
        ),
        ("Necessity", f.NecessityStep(data)),
        ("Telling the person", f.TellingStep(data)),
        ("Your decision", PracticeDecision(data, policy=sharing)),
    ]
    if case.referral is not None:
        sections.append(
            (
                "The referral",
                ReferralChoices(
                    data,
                    offered=scoring.offered_fields(case, referrals),
                    parties=case.referral.parties,
                ),
            )
        )
    return sections


def _chosen(sections) -> dict:
    """The choices as practice keeps them, from valid forms."""
    by = {title: form.cleaned_data for title, form in sections}
    answers = {}
    for title in ("Purpose", "The information", "Consent and capacity", "Necessity"):
        answers |= by[title]
    risk = dict(sections)["Risk and grounds"]
    answers |= {
        "grounds": list(by["Risk and grounds"].get("grounds") or ()),
        "at_risk": by["Risk and grounds"].get("at_risk", ""),
        **risk.responses(by["Risk and grounds"]),
    }
    answers |= {k: by["Telling the person"].get(k, "") for k in ("tell_person", "not_told_reason")}
    answers = {k: v for k, v in answers.items() if not k.startswith(("respond_", "why_"))}
    decision = by["Your decision"]
    chosen = {
        "answers": answers,
        "decision": {
            "outcome": decision.get("outcome", ""),
            "grounds": list(decision.get("override_grounds") or ()),
            "article_6": decision.get("article_6", ""),
            "article_9": decision.get("article_9", ""),
            "schedule_1": decision.get("schedule_1", ""),
        },
    }
    if "The referral" in by:
        chosen["fields"] = list(by["The referral"].get("fields") or ())
        chosen["removed"] = list(by["The referral"].get("removed") or ())
    return chosen


def _errors(sections):
    """(anchor, message) of every error, for the summary at the top of the page."""
    found = []
    for _, form in sections:
        for field in form:
            multiple = getattr(field.field.widget, "input_type", "") in ("radio", "checkbox")
            for error in field.errors:
                found.append((f"{field.auto_id}{'_0' if multiple else ''}", error))
        found += [("", error) for error in form.non_field_errors()]
    return found


def _concerns(case, recording):
    labels = {c.code: c.label for c in recording.categories}
    return [
        {
            "where": scoring.where(case, n),
            "concern": c,
            "categories": [labels.get(code, code) for code in c.categories],
        }
        for n, c in enumerate(case.concerns, 1)
    ]


@login_required
@require_GET
def practice_list(request):
    _require(request)
    best = practice.best_scores(request.user)
    cases = [(case, best.get(code)) for code, case in casebook.cases().items()]
    recent = access.attempts_of(request.user, request.user.pk)[:10]
    return render(
        request,
        "training/practice_list.html",
        {"cases": cases, "recent": recent, "nav": "practice"},
    )


@login_required
@require_GET
def practice_case(request, code):
    """One case before it is started (where an assignment links): what it is about,
    how the member of staff did before, and the button to start or carry on."""
    _require(request)
    case = casebook.get(code)
    if case is None:
        raise Http404("No such practice case")
    tried = access.attempts_of(request.user, request.user.pk).filter(case_code=code)[:10]
    unfinished = next((a for a in tried if a.finished_at is None), None)
    return render(
        request,
        "training/practice_start.html",
        {"case": case, "tried": tried, "unfinished": unfinished, "nav": "practice"},
    )


@login_required
@require_POST
def start_practice(request, code):
    _require(request)
    case = casebook.get(code)
    if case is None:
        raise Http404("No such practice case")
    attempt = practice.start(request, case)
    return redirect("practice_attempt", attempt_id=attempt.pk)


@login_required
def practice_attempt(request, attempt_id):
    """Working the case (its own member of staff, until finished), or its results."""
    _require(request)
    if request.method == "POST":
        attempt = access.get_own_attempt_for(request, attempt_id)
    else:
        attempt = access.get_attempt_for(request, attempt_id)
    if attempt.finished_at is not None:
        if request.method == "POST":  # kept as it was finished: never answered again
            return redirect("practice_attempt", attempt_id=attempt.pk)
        return _results(request, attempt)
    if attempt.staff_id != request.user.pk:
        return _results(request, attempt)
    case = practice.case_of(attempt)
    if case is None:
        raise Http404("This case is no longer in the casebook")
    sharing, referrals, recording = practice.policies(attempt.organisation_id)
    facts = scoring.facts_of(case, sharing, recording)
    sections = _sections(case, facts, sharing, referrals, request.POST or None)
    if request.method == "POST" and all(form.is_valid() for _, form in sections):
        try:
            practice.finish(request, attempt, _chosen(sections))
        except ValidationError as error:
            add_errors(sections[-1][1], ValidationError(list(error.messages)))
        else:
            return redirect("practice_attempt", attempt_id=attempt.pk)
    return render(
        request,
        "training/practice_case.html",
        {
            "attempt": attempt,
            "case": case,
            "facts": facts,
            "concerns": _concerns(case, recording),
            "sections": sections,
            "errors": _errors(sections) if request.method == "POST" else [],
            "record": (
                [
                    (referrals.fields[code].label, case.referral.record[code])
                    for code, _ in scoring.offered_fields(case, referrals)
                    if code in case.referral.record
                ]
                if case.referral
                else []
            ),
            "grounds_why": [(g.label, g.why) for g in sharing.override_grounds],
            "nav": "practice",
        },
    )


def _results(request, attempt):
    case = practice.case_of(attempt)
    return render(
        request,
        "training/practice_results.html",
        {
            "attempt": attempt,
            "case": case,
            "changed": case is not None and case.digest() != attempt.case_digest,
            "own": attempt.staff_id == request.user.pk,
            "sent": practice.sent(attempt),
            "outcome_words": framework.OUTCOMES,
            "nav": "practice",
        },
    )
