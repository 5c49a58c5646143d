"""The oversight dashboard, alerts and their decisions, and notifications."""

import yaml
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sharewise.audittrail import trail
from sharewise.concerns.access import name_people
from sharewise.concerns.models import Concern
from sharewise.forms import DatePartsField, NHSStyled
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Service
from sharewise.patterns import alerts as alertlib
from sharewise.patterns import backtest, oversight
from sharewise.patterns.models import (
    RULE_TITLES,
    Alert,
    AlertConcern,
    AlertDecision,
    AlertEvent,
    CaseForDecision,
    Notification,
    Outcome,
)
from sharewise.people import panels
from sharewise.people.models import Person
from sharewise.policy import store


def record_shown(request, action, person_ids, organisation_id, **detail):
    """A page that names people is a read of their records: one entry per person."""
    trail.record_reads(request, action, person_ids, organisation_id=organisation_id, detail=detail)


def _with_people(concerns, viewer) -> dict:
    """Set people_shown on each concern (who it is about, as far as the viewer may
    see); returns them by id."""
    return name_people(concerns, viewer)


def get_alert_for(request, alert_id, action="viewed alert") -> Alert:
    """An alert this user may see, with the read written to the trail against each
    person it is about; otherwise Http404."""
    alert = (
        Alert.objects.visible_to(request.user)
        .select_related(
            "person", "source_person", "source_staff", "service", "policy_version", "case"
        )
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise Http404("No such alert")
    alertlib.record_trail(alert, action, request=request)
    return alert


@login_required
def dashboard(request):
    if not request.user.has_perm("patterns.see_oversight"):
        raise PermissionDenied
    board = oversight.build(request.user)
    record_shown(
        request,
        "viewed oversight dashboard",
        board.person_ids(),
        scope_for(request.user).organisation_id,
    )
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
        {"nav": "oversight", "board": board, "heat_rows": rows, "now": timezone.now()},
    )


@login_required
def heat_cell(request, service_id, category):
    """The concerns behind one square of the heat map, each leading to a chronology."""
    if not request.user.has_perm("patterns.see_oversight"):
        raise PermissionDenied
    organisation_ids = scope_for(request.user).organisation_ids
    service = Service.objects.filter(pk=service_id, organisation_id__in=organisation_ids).first()
    if service is None:
        raise Http404("No such service")
    since = timezone.now() - timezone.timedelta(days=oversight.WINDOW_DAYS)
    concerns = list(
        Concern.objects.visible_to(request.user)
        .filter(
            service_id=service_id, occurred_at__gte=since, categories__icontains=f'"{category}"'
        )
        .select_related("team", "service")
        .order_by("-occurred_at")[:200]
    )
    concerns = [c for c in concerns if category in c.categories]
    names = _with_people(concerns, request.user)
    record_shown(
        request,
        "viewed concerns by service and category",
        sorted(names),
        scope_for(request.user).organisation_id,
        service=service_id,
        category=category,
    )
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


SHOWN_CONCERNS = 100


def get_case_for(request, case_id, action="viewed case for decision") -> CaseForDecision:
    """A case for decision this user may see, with its alerts they may see
    (case.shown_alerts, oldest first) and the read written to the trail for each
    alert against each person it is about; otherwise Http404."""
    case = (
        CaseForDecision.objects.visible_to(request.user)
        .select_related("person", "decided_by")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404("No such case")
    case.shown_alerts = list(
        Alert.objects.visible_to(request.user)
        .filter(case=case)
        .select_related("person", "source_person", "source_staff", "service", "policy_version")
        .select_related("acknowledged_by")
        .order_by("raised_at", "id")
    )
    for alert in case.shown_alerts:
        alertlib.record_trail(alert, action, request=request)
    return case


describe_cases = oversight.describe_cases


def _case_context(request, case, focus=None):
    alerts = case.shown_alerts
    visible = Concern.objects.visible_to(request.user).filter(
        pk__in=AlertConcern.objects.filter(alert__in=alerts).values("concern_id")
    )
    concerns = list(
        visible.select_related("team", "service").order_by("-occurred_at")[:SHOWN_CONCERNS]
    )
    seen = visible.count()
    total = AlertConcern.objects.filter(alert__in=alerts).values("concern_id").distinct().count()
    names = _with_people(concerns, request.user)
    _, recording = store.in_force(case.organisation_id, "recording")
    labels = recording.category_labels()
    for c in concerns:
        c.category_labels = [labels.get(code, code) for code in c.categories]
    describe_cases([case], request.user, labels)
    waiting = [a for a in alerts if a.is_waiting]
    may_decide = bool(waiting) and all(
        request.user.has_perm("patterns.decide_alert", a) for a in waiting
    )
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


@login_required
def case_page(request, case_id):
    try:
        case = get_case_for(request, case_id)
    except Http404:
        return render(request, "patterns/not_found.html", status=404)
    return _show_case(request, case)


def _case_of_alert(request, alert_id, action):
    """The case an alert this user may see waits (or last waited) in."""
    alert = Alert.objects.visible_to(request.user).filter(pk=alert_id).only("case_id").first()
    if alert is None or alert.case_id is None:
        raise Http404("No such alert")
    case = get_case_for(request, alert.case_id, action)
    focus = next((a for a in case.shown_alerts if a.pk == alert.pk), None)
    return case, focus


@login_required
def alert_page(request, alert_id):
    """An alert's old address shows the case it is part of."""
    try:
        case, focus = _case_of_alert(request, alert_id, "viewed alert")
    except Http404:
        return render(request, "patterns/not_found.html", status=404)
    return _show_case(request, case, focus)


def _acknowledge(request, case):
    if not request.user.has_perm("patterns.acknowledge_alert", case.first):
        raise PermissionDenied
    try:
        alertlib.acknowledge_case(request, case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Case acknowledged. It still needs a decision.")
    return redirect("case", case_id=case.pk)


@login_required
@require_POST
def acknowledge_case(request, case_id):
    try:
        case = get_case_for(request, case_id, "opened case to acknowledge")
    except Http404:
        return render(request, "patterns/not_found.html", status=404)
    describe_cases([case], request.user, {})
    return _acknowledge(request, case)


@login_required
@require_POST
def acknowledge_alert(request, alert_id):
    try:
        case, _ = _case_of_alert(request, alert_id, "opened alert to acknowledge")
    except Http404:
        return render(request, "patterns/not_found.html", status=404)
    describe_cases([case], request.user, {})
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
    if not case.shown_alerts or not request.user.has_perm(
        "patterns.decide_alert", case.shown_alerts[0]
    ):
        raise PermissionDenied
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        form.is_valid()
        data = form.cleaned_data
        try:
            alertlib.decide_case(
                request,
                case,
                data.get("outcome") or request.POST.get("outcome", ""),
                data.get("rationale") or request.POST.get("rationale", ""),
                data.get("monitor_until"),
            )
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                if name in form.errors:
                    continue  # the form already says what to fix in this answer
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
        else:
            messages.success(request, "Decision recorded for every rule in this case.")
            return redirect("case", case_id=case.pk)
    return _show_case(request, case, focus, form)


@login_required
def decide_case(request, case_id):
    try:
        case = get_case_for(request, case_id, "opened case to decide")
    except Http404:
        return render(request, "patterns/not_found.html", status=404)
    return _decide(request, case)


@login_required
def decide_alert(request, alert_id):
    """An alert's old decision address decides the case it waits in."""
    try:
        case, focus = _case_of_alert(request, alert_id, "opened alert to decide")
    except Http404:
        return render(request, "patterns/not_found.html", status=404)
    return _decide(request, case, focus)


@login_required
def alert_list(request):
    """One row per case for decision, naming the rules in it."""
    if not request.user.has_perm("patterns.see_oversight"):
        raise PermissionDenied
    status = request.GET.get("status", "waiting")
    rule = request.GET.get("rule", "")
    cases = CaseForDecision.objects.visible_to(request.user)
    if status == "waiting":
        cases = cases.waiting()
    elif status == Alert.Status.DECIDED:
        cases = cases.filter(decided_at__isnull=False)
    elif status in (Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED):
        open_ = Alert.objects.visible_to(request.user).filter(status=Alert.Status.OPEN)
        cases = cases.waiting()
        if status == Alert.Status.OPEN:
            cases = cases.filter(pk__in=open_.values("case_id"))
        else:
            cases = cases.exclude(pk__in=open_.values("case_id"))
    if rule in RULE_TITLES:
        cases = cases.filter(
            pk__in=Alert.objects.visible_to(request.user).filter(rule=rule).values("case_id")
        )
    newest = Alert.objects.filter(case=OuterRef("pk")).order_by("-updated_at")
    cases = cases.annotate(last_change=Subquery(newest.values("updated_at")[:1])).prefetch_related(
        Prefetch(
            "alerts",
            queryset=Alert.objects.visible_to(request.user)
            .select_related("person", "source_person", "source_staff", "service")
            .order_by("raised_at", "id"),
            to_attr="shown_alerts",
        )
    )
    page = Paginator(cases.order_by("-last_change", "-id"), 50).get_page(request.GET.get("page"))
    _, recording = store.in_force(scope_for(request.user).organisation_id, "recording")
    describe_cases(page.object_list, request.user, recording.category_labels())
    record_shown(
        request,
        "listed alerts",
        sorted(
            {
                a.person_id
                for case in page.object_list
                for a in case.shown_alerts
                if a.person_id and not a.person_hidden
            }
        ),
        scope_for(request.user).organisation_id,
    )
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
    mine = Notification.objects.filter(recipient=request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, "All notifications marked as read.")
        return redirect("notifications")
    # A notification whose alert this user can no longer see says only that it existed.
    visible = set(
        Alert.objects.visible_to(request.user)
        .filter(pk__in=mine.values("alert_id"))
        .values_list("pk", flat=True)
    )
    page = Paginator(
        mine.select_related(
            "alert__person", "alert__source_person", "alert__source_staff", "alert__service"
        ),
        50,
    ).get_page(request.GET.get("page"))
    shown = set()
    oversight.mark_unseen_people([n.alert for n in page.object_list if n.alert_id], request.user)
    for note in page.object_list:
        note.can_open = note.alert_id in visible or (not note.alert_id and note.link)
        if (
            note.alert_id
            and note.can_open
            and note.alert.person_id
            and not note.alert.person_hidden
        ):
            shown.add(note.alert.person_id)
    record_shown(
        request, "listed notifications", sorted(shown), scope_for(request.user).organisation_id
    )
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
        if start and end and start > end:
            self.add_error("end", "The last day must be on or after the first day")
        if end and end > timezone.localdate():
            self.add_error("end", "The last day cannot be in the future")
        if start and end and (end - start).days > 5 * 366:
            self.add_error("start", "Try at most five years at a time")
        return data


@login_required
def backtest_policy(request):
    """A lead tries proposed pattern rules on past concerns, beside the rules in force."""
    if not request.user.has_perm("patterns.backtest_policy"):
        raise PermissionDenied
    organisation_id = scope_for(request.user).organisation_id
    version, in_force = store.in_force(organisation_id, "patterns")
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
            proposed = backtest.proposed_policy(document, in_force)
        except yaml.YAMLError as error:
            form.add_error("document", f"This is not valid YAML: {error}")
        except backtest.PolicyProblem as problem:
            for message in problem.problems:
                form.add_error("document", message)
        else:
            now_report, new_report = backtest.compare(
                organisation_id, data["start"], data["end"], proposed, reader=request.user
            )
            results = _backtest_results(now_report, new_report)
            record_shown(
                request,
                "tried pattern rules on past concerns",
                results["person_ids"],
                organisation_id,
                start=data["start"].isoformat(),
                end=data["end"].isoformat(),
            )
    return render(
        request,
        "patterns/backtest.html",
        {"nav": "policy", "form": form, "results": results, "version": version},
    )


def _backtest_results(now_report, new_report) -> dict:
    ids = {r.person_id for r in new_report.rows + now_report.rows if r.person_id}
    names = Person.objects.in_bulk(ids)
    rows = sorted(new_report.rows, key=lambda r: r.fires_at)
    return {
        "in_force": now_report,
        "proposed": new_report,
        "totals": [
            (RULE_TITLES[rule], now_report.totals.get(rule, 0), new_report.totals.get(rule, 0))
            for rule in new_report.totals
        ],
        "rows": [(row, names.get(row.person_id)) for row in rows[:200]],
        "more": max(len(rows) - 200, 0),
        "person_ids": sorted(ids),
    }
