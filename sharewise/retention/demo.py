"""The demo's retention: Harold left our care over nine years ago, so his records are
due on the data protection officer's review list; Joan left as long ago, but a
Safeguarding Adults Review the lead holds her records for keeps them."""

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.utils import timezone

from sharewise.concerns import recording
from sharewise.organisations.models import Team
from sharewise.people.models import Enrolment, Person
from sharewise.retention import operations


def _former(org, team, given, family, born, left):
    person = Person.objects.create(
        organisation=org, given_name=given, family_name=family, date_of_birth=born
    )
    Enrolment.objects.create(
        person=person, team=team, start_date=left - timedelta(days=900), end_date=left
    )
    return person


def extend_demo(org, today):
    users = {u.username: u for u in get_user_model().objects.filter(memberships__organisation=org)}
    lead, carer = users["lead"], users["carer.day"]
    team = Team.objects.filter(service__organisation=org, name="Day team").first()
    left = today - timedelta(days=9 * 366 + 40)
    harold = _former(org, team, "Harold", "Bennett", date(1931, 2, 11), left)
    joan = _former(org, team, "Joan", "Whitaker", date(1934, 9, 23), left)
    for person, facts in (
        (harold, "Found on the floor of his room with a bruise to the forehead; said he fell."),
        (joan, "Told staff her grandson takes her bank card and she is frightened to refuse."),
    ):
        when = timezone.make_aware(datetime.combine(left - timedelta(days=60), time(14)))
        draft = recording.Draft(
            people=[person],
            occurred_at=when,
            service=team.service,
            team=team,
            categories=["physical" if person is harold else "financial"],
            risk_indicators=["none"],
            answers={
                "facts": facts,
                "immediate_action": "Checked for injury and told the nurse in charge.",
                "information_source": "observed",
                "sharing_view": "agrees",
                "injury": "none",
                "source_kind": "unknown",
                "severity": "moderate",
            },
        )
        recording.record(None, org.pk, draft, actor=carer, recorded_at=when)
    operations.place_hold(
        SimpleNamespace(user=lead, META={"REMOTE_ADDR": "127.0.0.1"}),
        joan,
        "Safeguarding Adults Review into financial abuse at Rose House: keep every record "
        "until the review has reported",
        via="demo",
    )
    return "1 person due for destruction, 1 held by a legal hold"
