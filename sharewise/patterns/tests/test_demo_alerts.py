"""The demo's stories raise the alerts the seed says nobody raised, waiting for the
lead's decision. (One test: loading the demo is the slow part.)"""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command

from sharewise.patterns import operations
from sharewise.patterns.models import Alert, Outcome
from sharewise.people.models import Person


def waiting_for(given, family):
    person = Person.objects.get(given_name=given, family_name=family)
    return {a.rule: a for a in Alert.objects.needing_decision().filter(person=person)}


def test_the_demo_stories_wait_for_the_leads_decision_with_their_reasons(db, rf):
    call_command("load_demo")

    # Example 1: Margaret's refusals on every shift, seen together at last.
    margaret = waiting_for("Margaret", "Hale")
    assert {"cumulative", "cross_team", "refused_repeated"} <= set(margaret)
    for alert in margaret.values():
        assert "the Night team and the Day team at Rose House" in alert.explanation
        assert "night" in alert.explanation and "shift" in alert.explanation
        assert alert.links.count() >= 2
    assert margaret["refused_repeated"].explanation.startswith(
        "5 concerns where the person refused"
    )

    # Example 2: Arthur's three teams, each holding one small thing.
    arthur = waiting_for("Arthur", "Penrose")
    assert {"cumulative", "cross_team"} <= set(arthur)
    explanation = arthur["cross_team"].explanation
    for place in ("Community North", "Reablement", "Day service team at Brookside Day Centre"):
        assert place in explanation
    assert "3 concerns recorded by more than one team in 29 days" in explanation

    # Everything else the demo's history raised was decided at the time.
    waiting = Alert.objects.needing_decision().select_related("person")
    assert {(a.person.given_name if a.person else None) for a in waiting} <= {
        "Margaret",
        "Arthur",
    }
    assert Alert.objects.filter(status=Alert.Status.DECIDED).exists()

    # Deciding Margaret's alert without reasons is refused, and nothing changes.
    request = rf.post("/")
    request.user = get_user_model().objects.get(username="lead")
    alert = margaret["refused_repeated"]
    with pytest.raises(ValidationError) as refused:
        operations.decide(request, alert, Outcome.NO_FURTHER_ACTION, "She refuses.")
    assert "rationale" in refused.value.message_dict
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN
