"""Deciding an alert: a date to monitor until goes only with monitoring, and the page
says so when the decision is made, keeping the reasons written."""

from datetime import timedelta

from django.utils import timezone

from conftest import record_concern
from sharewise.patterns.models import Alert


def test_escalating_with_a_monitoring_date_is_refused_on_the_page(cast, as_user):
    for days_ago in (40, 20, 2):
        record_concern(cast, days_ago=days_ago)
    alert = Alert.objects.get(rule="cumulative")
    until = timezone.localdate() + timedelta(days=30)
    reasons = "Three concerns in six weeks: the council should look at this now."
    response = as_user(cast.sarah).post(
        f"/alerts/{alert.pk}/decision/",
        {
            "outcome": "escalate",
            "rationale": reasons,
            "monitor_until_0": until.day,
            "monitor_until_1": until.month,
            "monitor_until_2": until.year,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "A date to monitor until goes with monitoring" in page and reasons in page
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN and not alert.decisions.exists()
