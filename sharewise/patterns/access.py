"""The one way in to alerts, cases for decision and notifications for pages and the
API: scoped fetches (404 outside what the user may see, the read written to the
trail) and the querysets lists are built from."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.http import Http404
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.concerns.access import name_people
from sharewise.concerns.models import Concern
from sharewise.days import on_days
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Service
from sharewise.patterns import oversight, scores
from sharewise.patterns.alert_trail import record_trail
from sharewise.patterns.models import (
    RULE_TITLES,
    Alert,
    AlertConcern,
    CaseForDecision,
    Notification,
)
from sharewise.patterns.oversight import describe_cases, mark_unseen_people
from sharewise.policy import store

CASE_STATUSES = ("waiting", *Alert.Status.values, "all")
ALERT_STATUSES = ("waiting", *Alert.Status.values)


def record_shown(request, action, person_ids, organisation_id, **detail):
    """A page that names people is a read of their records: one entry per person."""
    trail.record_reads(request, action, person_ids, organisation_id=organisation_id, detail=detail)


def require_oversight(user) -> None:
    if not user.has_perm("patterns.see_oversight"):
        raise PermissionDenied("Only safeguarding leads and team managers see alerts.")


def dashboard_for(request, **detail) -> oversight.Dashboard:
    """The oversight dashboard as this user may see it, the people it names read."""
    require_oversight(request.user)
    board = oversight.build(request.user)
    record_shown(
        request,
        "viewed oversight dashboard",
        board.person_ids(),
        scope_for(request.user).organisation_id,
        **detail,
    )
    return board


def risk_of(user, person):
    """(the person's risk score as this user may see it, or None; the alerts about
    them or their concerns waiting for a decision that the user may see, oldest
    first). person: one the user may see (people.access.get_person_for)."""
    ids = person.record_ids()
    waiting = (
        Alert.objects.visible_to(user)
        .needing_decision()
        .filter(Q(person_id__in=ids) | Q(links__concern__people__in=ids))
        .distinct()
        .order_by("waiting_since", "id")
    )
    return scores.risk_seen_by(user, person), waiting


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
    record_trail(alert, action, request=request)
    return alert


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
        record_trail(alert, action, request=request)
    return case


def get_case_of_alert(request, alert_id, action) -> tuple[CaseForDecision, Alert | None]:
    """The case an alert this user may see waits (or last waited) in, and the alert
    among its shown alerts; otherwise Http404."""
    alert = Alert.objects.visible_to(request.user).filter(pk=alert_id).only("case_id").first()
    if alert is None or alert.case_id is None:
        raise Http404("No such alert")
    case = get_case_for(request, alert.case_id, action)
    focus = next((a for a in case.shown_alerts if a.pk == alert.pk), None)
    return case, focus


def _check_rule(rule: str | None) -> None:
    if rule is not None and rule not in RULE_TITLES:
        raise ValidationError({"rule": [f"Use one of: {', '.join(RULE_TITLES)}"]})


def alerts_visible_to(
    user,
    *,
    status: str | None = None,
    rule: str | None = None,
    person_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
):
    """The alerts this user may see, newest change first: status open, acknowledged,
    decided or waiting (open or acknowledged); raised from start to end."""
    alerts = Alert.objects.visible_to(user)
    if status == "waiting":
        alerts = alerts.needing_decision()
    elif status in Alert.Status.values:
        alerts = alerts.filter(status=status)
    elif status is not None:
        raise ValidationError({"status": ["Use open, acknowledged, decided or waiting"]})
    _check_rule(rule)
    if rule is not None:
        alerts = alerts.filter(rule=rule)
    if person_id is not None:
        alerts = alerts.filter(person_id=person_id)
    return on_days(alerts, "raised_at", start, end).order_by("-updated_at", "-id")


def cases_visible_to(
    user,
    *,
    status: str | None = "waiting",
    rule: str | None = None,
    person_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
):
    """The cases for decision this user may see, with the alerts in each they may see
    (case.shown_alerts), the latest change first: status waiting, open (an alert not
    yet acknowledged), acknowledged, decided or all; with an alert under this rule;
    opened from start to end."""
    cases = CaseForDecision.objects.visible_to(user)
    visible = Alert.objects.visible_to(user)
    if status == "waiting":
        cases = cases.waiting()
    elif status == Alert.Status.DECIDED:
        cases = cases.filter(decided_at__isnull=False)
    elif status in (Alert.Status.OPEN, Alert.Status.ACKNOWLEDGED):
        open_ = visible.filter(status=Alert.Status.OPEN).values("case_id")
        cases = cases.waiting()
        if status == Alert.Status.OPEN:
            cases = cases.filter(pk__in=open_)
        else:
            cases = cases.exclude(pk__in=open_)
    elif status not in (None, "all"):
        raise ValidationError({"status": [f"Use one of: {', '.join(CASE_STATUSES)}"]})
    _check_rule(rule)
    if rule is not None:
        cases = cases.filter(pk__in=visible.filter(rule=rule).values("case_id"))
    if person_id is not None:
        cases = cases.filter(person_id=person_id)
    cases = on_days(cases, "opened_at", start, end)
    newest = Alert.objects.filter(case=OuterRef("pk")).order_by("-updated_at")
    return (
        cases.annotate(last_change=Subquery(newest.values("updated_at")[:1]))
        .prefetch_related(
            Prefetch(
                "alerts",
                queryset=visible.select_related(
                    "person", "source_person", "source_staff", "service", "policy_version"
                ).order_by("raised_at", "id"),
                to_attr="shown_alerts",
            )
        )
        .order_by("-last_change", "-id")
    )


def show_cases(request, cases, action: str, **detail) -> None:
    """Describe these cases (their shown_alerts fetched) as a list row says them, and
    write the read of the people they name."""
    organisation_id = scope_for(request.user).organisation_id
    _, recording = store.in_force(organisation_id, "recording")
    describe_cases(cases, request.user, recording.category_labels())
    named = {
        a.person_id
        for case in cases
        for a in case.shown_alerts
        if a.person_id and not a.person_hidden
    }
    record_shown(request, action, sorted(named), organisation_id, **detail)


def notifications_of(user):
    """This user's notifications, newest first."""
    return Notification.objects.filter(recipient=user).select_related(
        "alert__person", "alert__source_person", "alert__source_staff", "alert__service"
    )


def show_notifications(request, notes, **detail) -> None:
    """Set can_open on each notification (a notification whose alert this user can no
    longer see says only that it existed) and write the read of the people named."""
    notes = list(notes)
    visible = set(
        Alert.objects.visible_to(request.user)
        .filter(pk__in=[n.alert_id for n in notes if n.alert_id])
        .values_list("pk", flat=True)
    )
    mark_unseen_people([n.alert for n in notes if n.alert_id], request.user)
    shown = set()
    for note in notes:
        note.can_open = note.alert_id in visible or bool(not note.alert_id and note.link)
        if (
            note.alert_id
            and note.can_open
            and note.alert.person_id
            and not note.alert.person_hidden
        ):
            shown.add(note.alert.person_id)
    record_shown(
        request,
        "listed notifications",
        sorted(shown),
        scope_for(request.user).organisation_id,
        **detail,
    )


SHOWN_CONCERNS = 100


def concerns_in(user, alerts, shown=SHOWN_CONCERNS) -> tuple[list, int, int]:
    """(the newest `shown` concerns in these alerts the user may see, how many they may
    see, how many there are)."""
    linked = AlertConcern.objects.filter(alert__in=alerts)
    visible = Concern.objects.visible_to(user).filter(pk__in=linked.values("concern_id"))
    concerns = list(visible.select_related("team", "service").order_by("-occurred_at")[:shown])
    return concerns, visible.count(), linked.values("concern_id").distinct().count()


def concerns_at_service(request, service_id: int, category: str, **detail):
    """(service, its concerns of this category in the dashboard's window the user may
    see, newest first, each with people_shown), the read written; Http404 for a
    service outside the user's organisations."""
    require_oversight(request.user)
    scope = scope_for(request.user)
    service = Service.objects.filter(pk=service_id, organisation_id__in=scope.organisation_ids)
    service = service.first()
    if service is None:
        raise Http404("No such service")
    since = timezone.now() - timedelta(days=oversight.WINDOW_DAYS)
    concerns = list(
        Concern.objects.visible_to(request.user)
        .filter(
            service_id=service_id, occurred_at__gte=since, categories__icontains=f'"{category}"'
        )
        .select_related("team", "service")
        .order_by("-occurred_at")[:200]
    )
    concerns = [c for c in concerns if category in c.categories]
    names = name_people(concerns, request.user)
    record_shown(
        request,
        "viewed concerns by service and category",
        sorted(names),
        scope.organisation_id,
        service=service_id,
        category=category,
        **detail,
    )
    return service, concerns
