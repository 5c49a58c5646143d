"""The demo's alerts: the seed's Examples 1 (Margaret Hale) and 2 (Arthur Penrose)
are left waiting for a decision; every other alert the demo history raised was
decided at the time (a day after it began to wait) by the safeguarding lead, as a
well-run service would have."""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from sharewise.concerns import statistics
from sharewise.patterns import operations
from sharewise.patterns.models import (
    Alert,
    AlertConcern,
    AlertDecision,
    AlertEvent,
    HarmIndex,
    Notification,
    Outcome,
    RiskScore,
)

STORIES = {("Margaret", "Hale"), ("Arthur", "Penrose")}
REASONS = {
    "same_harm_at_service": "Looked at each concern: different causes, each handled and reviewed "
    "by the manager; no sign of a culture problem at the service.",
    "common_source": "Both residents were spoken to; behaviour plans updated and staff briefed "
    "on keeping them apart at busy times.",
    "risk_score": "Score driven by several low-level concerns that were each resolved; care "
    "plan reviewed with the person and family.",
}
DEFAULT_REASON = (
    "Read the chronology with the team manager: each concern was explained and followed up, "
    "and the person is happy with their care. Nothing more to do now."
)


def _decide_waiting(org, before, at_latest):
    """The lead decides each alert (but the stories') a day after it began to wait,
    if that day has come by `before`."""
    lead = get_user_model().objects.get(username="lead")
    waiting = (
        Alert.objects.filter(organisation=org, waiting_since__lte=before - timedelta(days=1))
        .needing_decision()
        .select_related("person")
    )
    decided = 0
    for alert in waiting:
        person = alert.person
        if person and (person.given_name, person.family_name) in STORIES:
            continue
        at = max(alert.waiting_since, alert.updated_at) + timedelta(days=1)
        operations.decide(
            None,
            alert,
            Outcome.NO_FURTHER_ACTION,
            REASONS.get(alert.rule, DEFAULT_REASON),
            actor=lead,
            at=min(at, at_latest),
        )
        decided += 1
    return decided


def as_time_passes(org, at):
    """Called by the concerns demo as its history is recorded: alerts are decided at
    the time, so later concerns reopen them as they would have."""
    _decide_waiting(org, at, at)
    _refresh_now_and_then()


_calls = itertools.count()


def _refresh_now_and_then() -> None:
    """The alert tables grow in the demo's one transaction as the concerns' do."""
    if next(_calls) % 40 == 0:
        statistics.refresh(
            Alert, AlertConcern, AlertEvent, AlertDecision, Notification, HarmIndex, RiskScore
        )


def extend_demo(org, today):
    now = timezone.now()
    _decide_waiting(org, now + timedelta(days=1), now - timedelta(hours=1))
    decided = Alert.objects.filter(organisation=org, status=Alert.Status.DECIDED).count()
    # Old news: only the waiting alerts are unread in the demo.
    Notification.objects.filter(alert__organisation=org, alert__status=Alert.Status.DECIDED).update(
        read_at=now
    )
    waiting = Alert.objects.filter(organisation=org).needing_decision().count()
    return f"{waiting} alerts waiting for a decision ({decided} older ones decided)"
