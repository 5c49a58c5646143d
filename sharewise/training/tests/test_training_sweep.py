"""The sweep's training step: new team members are added to assignments not yet due,
staff are reminded once when something is due within three days, overdue ones are
flagged once to them and to the lead, and an unconfirmed policy is chased once."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from sharewise.organisations.models import Membership, Role
from sharewise.patterns.models import Notification
from sharewise.policy import changes, store
from sharewise.policy.models import PolicyVersion
from sharewise.training import assignments, casebook, receipts, sweep
from sharewise.training.models import Assignment


@pytest.fixture(autouse=True)
def _cases(monkeypatch):
    monkeypatch.setattr(casebook, "titles", lambda: {"refusal-night": "Refused at night"})


def by(user):
    return SimpleNamespace(user=user, META={})


def run(cast, now=None):
    return dict(sweep.due(cast.org.pk, now or timezone.now()))


def told(user):
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


def night_case(cast, due):
    made = assignments.make(
        by(cast.sarah),
        what="case",
        case_code="refusal-night",
        due=cast.today + timedelta(days=30),
        roles=["care_worker"],
        team_ids=[cast.night.pk],
    )
    Assignment.objects.filter(pk=made.pk).update(due=due)
    Notification.objects.all().delete()
    return made


def test_a_reminder_when_due_within_three_days_is_sent_once(cast):
    night_case(cast, cast.today + timedelta(days=2))
    assert run(cast)["training reminders sent"] == 1
    assert run(cast)["training reminders sent"] == 0
    [reminder] = told(cast.nia)
    assert reminder.startswith("Due by") and "Refused at night" in reminder
    assert told(cast.tom) == []


def test_nothing_is_sent_for_what_is_due_later_or_done(cast):
    night_case(cast, cast.today + timedelta(days=10))
    assert run(cast)["training reminders sent"] == 0
    assert told(cast.nia) == []


def test_overdue_training_is_flagged_once_to_the_member_of_staff_and_the_lead(cast):
    made = night_case(cast, cast.today - timedelta(days=1))
    first = run(cast)
    assert first["overdue training flagged"] == 1
    assert [m for m in told(cast.nia) if m.startswith("Overdue since")]
    [to_lead] = told(cast.sarah)
    assert "1 member(s) of staff have not done" in to_lead
    assert (
        Notification.objects.get(recipient=cast.sarah).link == f"/training/assignments/{made.pk}/"
    )
    before = Notification.objects.count()
    assert run(cast)["overdue training flagged"] == 0
    assert Notification.objects.count() == before


def test_a_withdrawn_assignment_is_not_chased(cast):
    made = night_case(cast, cast.today - timedelta(days=1))
    assignments.withdraw(by(cast.sarah), made, "No longer needed now")
    assert run(cast)["overdue training flagged"] == 0
    assert told(cast.nia) == []


def test_a_new_team_member_is_added_and_told_once(cast):
    made = night_case(cast, cast.today + timedelta(days=10))
    from django.contrib.auth import get_user_model

    zoe = get_user_model().objects.create(username="zoe", first_name="Zoe", last_name="Hart")
    Membership.objects.create(
        user=zoe, organisation=cast.org, role=Role.CARE_WORKER, team=cast.night
    )
    assert run(cast)["staff added to training assignments"] == 1
    assert run(cast)["staff added to training assignments"] == 0
    assert made.assigned.filter(staff=zoe).exists()
    assert len(told(zoe)) == 1 and "training to do" in told(zoe)[0]


def test_an_unconfirmed_policy_is_chased_once_after_two_weeks(cast):
    _, document = store.in_force(cast.org.pk, "sharing")
    doc = document.model_dump(mode="json")
    doc["review_days"] -= 7
    saved, _ = changes.save(by(cast.sarah), cast.org.pk, "sharing", doc, "Sooner")
    receipts.confirm(by(cast.helen), "sharing", 2)
    Notification.objects.all().delete()
    assert run(cast)["policy confirmation reminders sent"] == 0  # not two weeks yet
    PolicyVersion.objects.filter(pk=saved.pk).update(created_at=timezone.now() - timedelta(days=15))
    assert run(cast)["policy confirmation reminders sent"] == 2  # Sarah and David
    assert run(cast)["policy confirmation reminders sent"] == 0
    assert {n.recipient.username for n in Notification.objects.all()} == {"sarah", "david"}
    assert "version 2 of the decision framework" in told(cast.david)[0]


def test_the_sweep_command_runs_the_training_step(cast):
    from sharewise.patterns import sweep as patterns_sweep

    night_case(cast, cast.today + timedelta(days=1))
    swept = patterns_sweep.run()
    assert swept.more["training reminders sent"] == 1
