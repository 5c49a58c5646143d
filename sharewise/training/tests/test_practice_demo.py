"""The demo's practice attempts and its assignment to the night team."""

from datetime import date

from sharewise.audittrail.models import Entry
from sharewise.organisations import demo
from sharewise.training import demo as training_demo
from sharewise.training.models import Assigned, Assignment, Attempt


def test_the_demo_has_scored_attempts_and_an_open_assignment_for_the_night_team(db):
    org = demo.build_demo(date(2026, 11, 25))
    said = training_demo.extend_demo(org, date(2026, 11, 25))
    scores = list(Attempt.objects.order_by("id").values_list("staff__username", "score"))
    assert scores[0][0] == "carer.day" and scores[0][1] <= 40  # sent the whole record
    assert scores[1] == ("carer.day", 100)
    assert scores[2][0] == "carer.night" and scores[2][1] < 50
    assert "4 practice attempts" in said
    assignment = Assignment.objects.get(case_code="refused_emotional_abuse")
    reached = Assigned.objects.filter(assignment=assignment)
    assert reached.filter(staff__username="carer.night", completed_at__isnull=True).exists()
    assert not Entry.objects.filter(object_type="practice attempt", person_id__isnull=False)
