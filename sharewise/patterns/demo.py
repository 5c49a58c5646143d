"""The demo's alerts: the seed's Examples 1 (Margaret Hale) and 2 (Arthur Penrose)
are left waiting for a decision; every other alert the demo history raised was
decided at the time by the safeguarding lead, as a well-run service would have."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from sharewise.patterns import alerts
from sharewise.patterns.models import Alert, Notification, Outcome

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


def extend_demo(org, today):
    lead = get_user_model().objects.get(username="lead")
    now = timezone.now()
    decided = 0
    for alert in Alert.objects.filter(organisation=org).select_related("person"):
        person = alert.person
        if person and (person.given_name, person.family_name) in STORIES:
            continue
        at = min(alert.updated_at + timedelta(days=1), now - timedelta(hours=1))
        alerts.decide(
            None,
            alert,
            Outcome.NO_FURTHER_ACTION,
            REASONS.get(alert.rule, DEFAULT_REASON),
            actor=lead,
            at=at,
        )
        decided += 1
    # Old news: only the waiting alerts are unread in the demo.
    Notification.objects.filter(alert__organisation=org, alert__status=Alert.Status.DECIDED).update(
        read_at=now
    )
    waiting = Alert.objects.filter(organisation=org).needing_decision().count()
    return f"{waiting} alerts waiting for a decision ({decided} older ones decided)"
