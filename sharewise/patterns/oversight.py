"""What the oversight dashboard shows a lead (their organisation) or a manager (their
services): the same questions, each answered from the records they may see."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import Count, Max, Prefetch
from django.utils import timezone

from sharewise.concerns.access import name_people
from sharewise.concerns.models import Concern, ConcernPerson, Severity, SharingView
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Service
from sharewise.patterns import scores as scorelib
from sharewise.patterns.models import Alert, CaseForDecision, RiskScore
from sharewise.people.models import Person
from sharewise.policy import store

WINDOW_DAYS = 90
SHOWN = 20


@dataclass
class Dashboard:
    ranked: list = field(default_factory=list)  # (person, score, over threshold)
    threshold: float = 0
    half_life: float = 0
    people_over: int = 0
    alerts: list = field(default_factory=list)  # the shown cases' alerts
    cases: list = field(default_factory=list)
    alerts_total: int = 0  # cases waiting
    services: list = field(default_factory=list)
    categories: list = field(default_factory=list)  # (code, label)
    heat: dict = field(default_factory=dict)  # (service_id, code) -> count
    heat_max: int = 0
    refusals: list = field(default_factory=list)  # (person, concerns, latest)
    refusal_people: int = 0
    refusal_concerns: int = 0
    overdue: list = field(default_factory=list)
    overdue_total: int = 0
    urgent: list = field(default_factory=list)  # immediate danger, not yet reviewed

    def person_ids(self) -> list[int]:
        ids = [p.pk for p, *_ in self.ranked] + [p.pk for p, *_ in self.refusals]
        ids += [a.person_id for a in self.alerts if a.person_id]
        ids += [p.pk for c in self.overdue for p in c.people_shown]
        ids += [p.pk for c in self.urgent for p in c.people_shown]
        return sorted(set(ids))


def build(user, now=None) -> Dashboard:
    now = now or timezone.now()
    scope = scope_for(user)
    board = Dashboard()
    _, policy = store.in_force(scope.organisation_id, "patterns")
    _, recording = store.in_force(scope.organisation_id, "recording")
    _rank_by_risk(board, user, scope, policy.risk_score, now)
    _waiting_cases(board, user, recording.category_labels())
    recent = Concern.objects.visible_to(user).filter(
        occurred_at__gte=now - timedelta(days=WINDOW_DAYS)
    )
    _heat(board, recent, recording)
    _refusals(board, user, scope, recent)
    _reviews(board, user, now)
    return board


def _rank_by_risk(board: Dashboard, user, scope, rule, now) -> None:
    """The people with the highest risk scores now, and how many are over threshold."""
    board.threshold = rule.threshold
    board.half_life = rule.half_life_days
    if scope.lead_org_ids and not scope.team_ids:  # the whole organisation, cheaply
        scores = RiskScore.objects.filter(
            organisation_id__in=scope.lead_org_ids, person__merged_into=None
        )
    else:
        scores = RiskScore.objects.filter(person__in=Person.objects.visible_to(user))
    scores = scores.filter(level__isnull=False)
    # People with a concern naming this reader: their scores worked out without it.
    scores, fresh = scorelib.split_for(user, scores, now)
    over = scorelib.level_threshold(rule.threshold, now, rule.half_life_days)
    board.people_over = scores.filter(
        level__gte=over, half_life_days=rule.half_life_days
    ).count() + sum(1 for s in fresh if s.level is not None and s.score >= rule.threshold)
    ranked = [
        (row.person, row.now(now))
        for row in scores.select_related("person").order_by("-level")[:SHOWN]
    ]
    if fresh:
        people = Person.objects.in_bulk([s.person_id for s in fresh])
        ranked += [(people[s.person_id], s.score) for s in fresh if s.level is not None]
        ranked = sorted(ranked, key=lambda r: -r[1])[:SHOWN]
    board.ranked = [(person, round(score, 1), score >= rule.threshold) for person, score in ranked]


def _waiting_cases(board: Dashboard, user, labels) -> None:
    """One row per case for decision, its alerts fetched together (no query per row)."""
    waiting = CaseForDecision.objects.visible_to(user).waiting()
    board.alerts_total = waiting.count()
    board.cases = list(
        waiting.prefetch_related(
            Prefetch(
                "alerts",
                queryset=Alert.objects.visible_to(user)
                .select_related("person", "source_person", "source_staff", "service")
                .order_by("raised_at", "id"),
                to_attr="shown_alerts",
            )
        ).order_by("opened_at", "id")[:50]
    )
    board.alerts = [a for case in board.cases for a in case.shown_alerts]
    describe_cases(board.cases, user, labels)


def _heat(board: Dashboard, recent, recording) -> None:
    """Every concern of the last 90 days, from an index that holds the columns needed:
    counted by their categories' stored text, decoded once per distinct list. The
    ORM's query, run as plain SQL: through the ORM each row's list is decoded, which
    on a busy organisation costs more than the rest of the page."""
    sql, params = recent.order_by().values_list("service_id", "categories").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counted = Counter(cursor.fetchall())
    heat = defaultdict(int)
    for (service_id, categories), n in counted.items():
        if isinstance(categories, str):
            categories = json.loads(categories)
        for code in categories or ():
            heat[(service_id, code)] += n
    board.heat = dict(heat)
    board.heat_max = max(heat.values(), default=0)
    service_ids = {s for s, _ in heat}
    board.services = list(Service.objects.filter(pk__in=service_ids).order_by("name"))
    used = {c for _, c in heat}
    board.categories = [(c.code, c.label) for c in recording.categories if c.code in used]


def _refusals(board: Dashboard, user, scope, recent) -> None:
    """One pass over the refusals, grouped by person: the counts and the top of the list."""
    refused = recent.filter(sharing_view=SharingView.REFUSES)
    refusing = ConcernPerson.objects.filter(concern__in=refused.values("pk"))
    if scope.team_ids:  # a concern they see may also be about someone they may not
        refusing = refusing.filter(person__in=Person.objects.visible_to(user))
    by_person = sorted(
        refusing.values_list("person_id")
        .annotate(n=Count("concern_id"), latest=Max("concern__occurred_at"))
        .order_by(),
        key=lambda r: (-r[1], -r[2].timestamp()),
    )
    board.refusal_people = len(by_person)
    board.refusal_concerns = sum(n for _, n, _ in by_person)  # each person's refusals
    top = by_person[:SHOWN]
    names = Person.objects.in_bulk([pid for pid, _, _ in top])
    board.refusals = [(names[pid], n, latest) for pid, n, latest in top]


def _reviews(board: Dashboard, user, now) -> None:
    """Reviews gone overdue, and immediate danger first: every concern of it not yet
    reviewed, oldest first."""
    overdue = Concern.objects.for_review_by(user).filter(review_due_at__lt=now)
    board.overdue_total = overdue.count()
    board.overdue = list(
        overdue.select_related("team", "service").order_by("review_due_at")[:SHOWN]
    )
    name_people(board.overdue, user)
    board.urgent = list(
        Concern.objects.for_review_by(user)
        .filter(severity=Severity.IMMEDIATE)
        .select_related("team", "service")
        .order_by("recorded_at", "pk")[:SHOWN]
    )
    name_people(board.urgent, user)


def mark_unseen_people(alerts, viewer) -> None:
    """Mark each alert's person and alleged source whom the viewer may not see
    (person_hidden, source_person_hidden): pages name neither."""
    ids = {a.person_id for a in alerts} | {a.source_person_id for a in alerts}
    ids.discard(None)
    seen = set(
        Person.objects.visible_to(viewer, include_merged=True)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    for alert in alerts:
        alert.person_hidden = bool(alert.person_id) and alert.person_id not in seen
        alert.source_person_hidden = (
            bool(alert.source_person_id) and alert.source_person_id not in seen
        )


def label_categories(alerts, labels) -> None:
    for alert in alerts:
        alert.category_label = labels.get(alert.category, alert.category)


def describe_cases(cases, viewer, labels) -> None:
    """Set on each case (its shown_alerts already fetched) what a row says: its
    status, the alert that names its subject, its rules' titles and since when the
    oldest of them has waited."""
    alerts = [a for case in cases for a in case.shown_alerts]
    label_categories(alerts, labels)
    mark_unseen_people(alerts, viewer)
    for case in cases:
        waiting = [a for a in case.shown_alerts if a.is_waiting]
        if case.decided_at is not None or not waiting:
            case.status = Alert.Status.DECIDED
        elif any(a.status == Alert.Status.OPEN for a in waiting):
            case.status = Alert.Status.OPEN
        else:
            case.status = Alert.Status.ACKNOWLEDGED
        case.first = case.shown_alerts[0] if case.shown_alerts else None
        case.titles = list(dict.fromkeys(a.title for a in case.shown_alerts))
        case.waiting_since = min((a.waiting_since for a in waiting), default=case.opened_at)
