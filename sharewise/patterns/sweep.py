"""The time-based rules, for `manage.py sweep` from cron every few minutes: reviews
that went overdue, monitoring periods that ended, and risk scores to work out again
after the risk policy changed. Safe to run while people work, and twice at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from sharewise.concerns.models import AwaitingReview, Concern, ConcernPerson
from sharewise.organisations.extensions import hooks
from sharewise.organisations.models import Organisation
from sharewise.patterns import engine, raising, scores
from sharewise.patterns import facts as factstore
from sharewise.patterns.alert_trail import record_trail
from sharewise.patterns.judging import Context, lock
from sharewise.patterns.models import Alert, AlertConcern, AlertDecision, AlertEvent, RiskScore
from sharewise.patterns.notifying import Notifier

CHUNK = 500
PEOPLE_CHUNK = 2_000
_SWEEP_LOCK = 7_310_442_002  # PostgreSQL advisory lock id: one sweep at a time


@dataclass
class Swept:
    overdue: int = 0
    monitoring_ended: int = 0
    rescored: int = 0
    skipped: bool = False
    # What later apps' sweep steps did: {what: how many}.
    more: dict = field(default_factory=dict)


def run(now: datetime | None = None, *, rescore_all: bool = False) -> Swept:
    now = now or timezone.now()
    if not _take_lock():
        return Swept(skipped=True)
    try:
        swept = Swept()
        organisations = Organisation.objects.order_by("pk").values_list("pk", flat=True)
        for organisation_id in organisations:
            swept.overdue += overdue_reviews(organisation_id, now)
            swept.monitoring_ended += monitoring_ended(organisation_id, now)
            swept.rescored += rescore(organisation_id, now, everyone=rescore_all)
            for step in hooks("sweep", "due", skip_label="patterns"):
                for what, count in step(organisation_id, now):
                    swept.more[what] = swept.more.get(what, 0) + count
        return swept
    finally:
        _release_lock()


def _take_lock() -> bool:
    """Plain SQL here and in _release_lock: the ORM has no advisory locks."""
    if connection.vendor != "postgresql":
        return True  # SQLite runs one writer at a time; each step re-checks inside it
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_SWEEP_LOCK])
        return cursor.fetchone()[0]


def _release_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_SWEEP_LOCK])


def overdue_reviews(organisation_id: int, now: datetime) -> int:
    """An alert for each concern not reviewed by its deadline (imported history is
    not today's review work)."""
    made = 0
    while True:
        with transaction.atomic():
            ctx = Context(organisation_id, now)
            if not ctx.policy.overdue_review.enabled:
                return made
            due = list(
                AwaitingReview.objects.filter(organisation_id=organisation_id, due_at__lt=now)
                .exclude(
                    pk__in=AlertConcern.objects.filter(
                        alert__organisation_id=organisation_id, alert__rule="overdue_review"
                    ).values("concern_id")
                )
                .order_by("due_at", "pk")
                .values_list("concern_id", flat=True)[:CHUNK]
            )
            if not due:
                return made
            known = factstore.load(Concern.objects.filter(pk__in=due))
            triggers = [
                engine.Trigger("overdue_review", f"concern:{pk}", frozenset([pk])) for pk in due
            ]
            raising.apply(ctx, triggers, known)
            made += len(due)


def monitoring_ended(organisation_id: int, now: datetime) -> int:
    """Alerts decided as "monitor until a date" come back when the date arrives."""
    latest = AlertDecision.objects.filter(alert=OuterRef("pk")).order_by("-decided_at", "-id")
    today = timezone.localdate(now)
    with transaction.atomic():
        due = list(
            Alert.objects.select_for_update()
            .filter(organisation_id=organisation_id, status=Alert.Status.DECIDED)
            .annotate(
                last_outcome=Subquery(latest.values("outcome")[:1]),
                last_until=Subquery(latest.values("monitor_until")[:1]),
            )
            .filter(last_outcome="monitor", last_until__lte=today)
        )
        if not due:
            return 0
        ctx = Context(organisation_id, now)
        notifier = Notifier(ctx)
        for alert in due:
            raising.reopen(
                alert,
                now,
                AlertEvent.Kind.MONITORING_ENDED,
                f"Monitoring was agreed until {alert.last_until:%-d %B %Y}",
            )
            record_trail(alert, "monitoring period ended")
            notifier.add(alert, "monitoring_ended")
        notifier.send()
    return len(due)


def rescore(organisation_id: int, now: datetime, *, everyone: bool = False) -> int:
    """Work scores out again where the risk policy has changed since (or for everyone).
    Scores need no sweeping to fade: see RiskScore.level."""
    version_id = Context(organisation_id, now).version.pk
    if everyone:  # everyone with a concern, scored before or not
        stale = ConcernPerson.objects.filter(concern__organisation_id=organisation_id)
    else:
        stale = RiskScore.objects.filter(organisation_id=organisation_id).exclude(
            policy_version_id=version_id
        )
    done = 0
    last = 0
    while True:
        people = list(
            stale.filter(person_id__gt=last)
            .order_by("person_id")
            .values_list("person_id", flat=True)
            .distinct()[:PEOPLE_CHUNK]
        )
        if not people:
            return done
        with transaction.atomic():
            ctx = Context(organisation_id, now)
            lock([f"person:{p}" for p in people])
            family = factstore.about_people(people)
            triggers = scores.save_scores(ctx, people, family)
            raising.apply(ctx, triggers, family)
        done += len(people)
        last = people[-1]
