"""The demo's stories raise the alerts the seed says nobody raised, waiting for the
lead's decision."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from sharewise.patterns import alerts
from sharewise.patterns.models import Alert, Outcome
from sharewise.people.models import Person


@pytest.fixture
def demo(db):
    call_command("load_demo")


def waiting_for(given, family):
    person = Person.objects.get(given_name=given, family_name=family)
    return {a.rule: a for a in Alert.objects.needing_decision().filter(person=person)}


def test_margarets_refusals_on_every_shift_raise_alerts_naming_the_teams_and_shifts(demo):
    found = waiting_for("Margaret", "Hale")
    assert {"cumulative", "cross_team", "refused_repeated"} <= set(found)
    for alert in found.values():
        assert "the Night team and the Day team at Rose House" in alert.explanation
        assert "night" in alert.explanation and "shift" in alert.explanation
        assert alert.links.count() >= 2
    assert found["refused_repeated"].explanation.startswith("5 concerns where the person refused")


def test_arthurs_three_teams_are_seen_together_for_the_first_time(demo):
    found = waiting_for("Arthur", "Penrose")
    assert {"cumulative", "cross_team"} <= set(found)
    explanation = found["cross_team"].explanation
    for place in ("Community North", "Reablement", "Day service team at Brookside Day Centre"):
        assert place in explanation
    assert "3 concerns recorded by more than one team in 29 days" in explanation


def test_only_the_stories_wait_and_the_rest_of_the_history_was_decided(demo):
    waiting = Alert.objects.needing_decision().select_related("person")
    assert {(a.person.given_name if a.person else None) for a in waiting} <= {"Margaret", "Arthur"}
    assert Alert.objects.filter(status=Alert.Status.DECIDED).exists()


def test_deciding_margarets_alert_without_reasons_is_refused(demo, rf):
    alert = waiting_for("Margaret", "Hale")["refused_repeated"]
    request = rf.post("/")
    from django.contrib.auth import get_user_model

    request.user = get_user_model().objects.get(username="lead")
    with pytest.raises(ValidationError) as refused:
        alerts.decide(request, alert, Outcome.NO_FURTHER_ACTION, "She refuses.")
    assert "rationale" in refused.value.message_dict
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN
