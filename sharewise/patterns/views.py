"""The oversight dashboard, alerts and their decisions, and notifications."""

import yaml
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sharewise.concerns.access import name_people
from sharewise.forms import DatePartsField, NHSStyled, add_errors
from sharewise.organisations.access import scope_for
from sharewise.patterns import access, operations
from sharewise.patterns.models import (
    RULE_TITLES,
    Alert,
    AlertDecision,
    AlertEvent,
    Outcome,
)
from sharewise.people import panels
from sharewise.policy import store


@login_required
@require_safe
def dashboard(request):
    board = access.dashboard_for(request)
    rows = [
        (
            service,
            [(code, board.heat.get((service.pk, code), 0)) for code, _ in board.categories],
        )
        for service in board.services
    ]
    return render(
        request,
        "patterns/dashboard.html",
        {
            "nav": "oversight",
            "board": board,
            "heat_rows": rows,
            "now": timezone.now(),
            "panels": panels.for_dashboard(request),
        },
    )


@login_required
@require_safe
def heat_cell(request, service_id, category):
    """The concerns behind one square of the heat map, each leading to a chronology."""
    service, concerns = access.concerns_at_service(request, service_id, category)
    _, recording = store.in_force(scope_for(request.user).organisation_id, "recording")
    return render(
        request,
        "patterns/heat_cell.html",
        {
            "nav": "oversight",
            "concerns": concerns,
            "label": recording.category_labels().get(category, category),
            "service": service,
        },
    )


def _case_context(request, case, focus=None):
    alerts = case.shown_alerts
    concerns, seen, total = access.concerns_in(request.user, alerts)
    names = name_people(concerns, request.user)
    _, recording = store.in_force(case.organisation_id, "recording")
    labels = recording.category_labels()
    for c in concerns:
        c.category_labels = [labels.get(code, code) for code in c.categories]
    access.describe_cases([case], request.user, labels)
    waiting = [a for a in alerts if a.is_waiting]
    may_decide = bool(waiting) and all(operations.may_decide(request.user, a) for a in waiting)
    # A lead decides the whole case or none of it: one who may not see every alert
    # waiting in it (one names them) leaves it to another lead.
    sees_all = Alert.objects.needing_decision().filter(case=case).count() == len(waiting)
    return {
        "nav": "oversight",
        "case": case,
        "alerts": alerts,
        "alert": focus or (alerts[0] if alerts else None),
        "focus": focus,
        "concerns": concerns,
        "hidden": total - seen,
        "older": seen - len(concerns),
        "people": sorted(names.values(), key=lambda p: p.name),
        "events": AlertEvent.objects.filter(alert__in=alerts).select_related("by", "alert"),
        "decisions": _decisions_together(alerts),
        "can_decide": may_decide and sees_all,
        "others_decide": may_decide and not sees_all,
        "can_acknowledge": request.user.has_perm("patterns.acknowledge_alert", case.first)
        and any(a.status == Alert.Status.OPEN for a in alerts),
        "panels": panels.for_alert(request, alerts[0]) if alerts else [],
    }


def _decisions_together(alerts) -> list:
    """The alerts' decisions, one card per written decision: a case's one decision is
    recorded on each of its alerts (d.titles: the rules it decided)."""
    cards = {}
    for d in AlertDecision.objects.filter(alert__in=alerts).select_related("decided_by", "alert"):
        key = (d.case_id, d.decided_at, d.outcome, d.rationale) if d.case_id else d.pk
        if key not in cards:
            d.titles = []
            cards[key] = d
        cards[key].titles.append(d.alert.title)
    return list(cards.values())


def _show_case(request, case, focus=None, form=None):
    context = _case_context(request, case, focus)
    if form is not None:
        context["form"] = form
    elif context["can_decide"]:
        context["form"] = DecisionForm()
    return render(request, "patterns/case.html", context)


def _not_found(request):
    return render(request, "patterns/not_found.html", status=404)


@login_required
@require_safe
def case_page(request, case_id):
    try:
        case = access.get_case_for(request, case_id)
    except Http404:
        return _not_found(request)
    return _show_case(request, case)


@login_required
@require_safe
def alert_page(request, alert_id):
    """An alert's old address shows the case it is part of."""
    try:
        case, focus = access.get_case_of_alert(request, alert_id, "viewed alert")
    except Http404:
        return _not_found(request)
    return _show_case(request, case, focus)


def _acknowledge(request, case):
    try:
        operations.acknowledge_case(request, case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Case acknowledged. It still needs a decision.")
    return redirect("case", case_id=case.pk)


@login_required
@require_POST
def acknowledge_case(request, case_id):
    try:
        case = access.get_case_for(request, case_id, "opened case to acknowledge")
    except Http404:
        return _not_found(request)
    return _acknowledge(request, case)


@login_required
@require_POST
def acknowledge_alert(request, alert_id):
    try:
        case, _ = access.get_case_of_alert(request, alert_id, "opened alert to acknowledge")
    except Http404:
        return _not_found(request)
    return _acknowledge(request, case)


class DecisionForm(NHSStyled, forms.Form):
    outcome = forms.ChoiceField(
        label="What happens next?",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happens next"},
    )
    monitor_until = DatePartsField(
        label="Monitor until (if you choose to monitor)",
        required=False,
        help_text="If you choose to monitor: the date someone looks at this again. "
        "For example, 15 3 2027",
    )
    rationale = forms.CharField(
        label="Your reasons",
        help_text="What you considered and why you decided this. Someone will read this later.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write your reasons for this decision"},
    )


def _decide(request, case, focus=None):
    operations.require_decider(request.user, case)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        form.is_valid()
        data = form.cleaned_data
        try:
            operations.decide_case(
                request,
                case,
                data.get("outcome") or request.POST.get("outcome", ""),
                data.get("rationale") or request.POST.get("rationale", ""),
                data.get("monitor_until"),
            )
        except ValidationError as error:
            # The form already says what to fix in an answer it faults.
            add_errors(form, error, only_new=True)
        else:
            messages.success(request, "Decision recorded for every rule in this case.")
            return redirect("case", case_id=case.pk)
    return _show_case(request, case, focus, form)


@login_required
def decide_case(request, case_id):
    try:
        case = access.get_case_for(request, case_id, "opened case to decide")
    except Http404:
        return _not_found(request)
    return _decide(request, case)


@login_required
def decide_alert(request, alert_id):
    """An alert's old decision address decides the case it waits in."""
    try:
        case, focus = access.get_case_of_alert(request, alert_id, "opened alert to decide")
    except Http404:
        return _not_found(request)
    return _decide(request, case, focus)


@login_required
@require_safe
def alert_list(request):
    """One row per case for decision, naming the rules in it."""
    access.require_oversight(request.user)
    status = request.GET.get("status", "waiting")
    rule = request.GET.get("rule", "")
    cases = access.cases_visible_to(
        request.user,
        status=status if status in access.CASE_STATUSES else "all",
        rule=rule if rule in RULE_TITLES else None,
    )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    access.show_cases(request, page.object_list, "listed alerts")
    extra = request.GET.copy()
    extra.pop("page", None)
    return render(
        request,
        "patterns/alert_list.html",
        {
            "nav": "oversight",
            "page": page,
            "status": status,
            "rule": rule,
            "rules": RULE_TITLES.items(),
            "statuses": [
                ("waiting", "Waiting for a decision"),
                *Alert.Status.choices,
                ("all", "All"),
            ],
            "extra": extra.urlencode(),
        },
    )


@login_required
def notifications(request):
    if request.method == "POST":
        operations.mark_notifications_read(request.user)
        messages.success(request, "All notifications marked as read.")
        return redirect("notifications")
    page = Paginator(access.notifications_of(request.user), 50).get_page(request.GET.get("page"))
    access.show_notifications(request, page.object_list)
    return render(request, "patterns/notifications.html", {"nav": "notifications", "page": page})


class BacktestForm(NHSStyled, forms.Form):
    start = DatePartsField(label="From", error_messages={"required": "Enter the first day"})
    end = DatePartsField(label="To", error_messages={"required": "Enter the last day"})
    document = forms.CharField(
        label="Pattern rules to try (YAML)",
        help_text="Change any numbers; leave out what you are not changing.",
        widget=forms.Textarea(
            attrs={"rows": 18, "spellcheck": "false", "class": "nhsuk-textarea sw-code"}
        ),
        error_messages={"required": "Enter the pattern rules to try"},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and (problems := operations.period_problems(start, end)):
            add_errors(self, ValidationError(problems))
        return data


@login_required
def backtest_policy(request):
    """A lead tries proposed pattern rules on past concerns, beside the rules in force."""
    if not request.user.has_perm("patterns.backtest_policy"):
        raise PermissionDenied
    version, _ = store.in_force(scope_for(request.user).organisation_id, "patterns")
    today = timezone.localdate()
    form = BacktestForm(
        request.POST or None,
        initial={
            "start": today.replace(year=today.year - 1),
            "end": today,
            "document": yaml.safe_dump(version.document, sort_keys=False, width=100),
        },
    )
    results = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = yaml.safe_load(data["document"])
            results = operations.try_pattern_rules(request, data["start"], data["end"], document)
        except yaml.YAMLError as error:
            form.add_error("document", f"This is not valid YAML: {error}")
        except ValidationError as error:
            add_errors(form, error)
    return render(
        request,
        "patterns/backtest.html",
        {"nav": "policy", "form": form, "results": results, "version": version},
    )
