"""Urgent means now: immediate danger is told at once to the team's manager and the
safeguarding lead (in the app, and by an email naming no one), and a missed one-hour
review is chased to the lead once."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from conftest import record_concern
from sharewise.background import working
from sharewise.concerns import sweep, urgent
from sharewise.organisations.models import Membership, Role
from sharewise.patterns.models import Notification


def told(user):
    """The urgent notifications they had (pattern alerts may come too)."""
    return list(
        Notification.objects.filter(
            recipient=user, message__in=[urgent.TOLD, urgent.CHASED]
        ).values_list("message", flat=True)
    )


def with_email(*users):
    for user in users:
        user.email = f"{user.username}@oakleigh.example"
        user.save(update_fields=["email"])


def urgent_mail():
    working.run_ready()  # the emails are queued with the concern
    return [m for m in mail.outbox if m.subject == urgent.EMAIL_SUBJECT]


def test_the_manager_and_the_lead_are_told_at_once_and_no_one_else(
    cast, django_capture_on_commit_callbacks
):
    with_email(cast.helen, cast.sarah, cast.olivia, cast.nia)
    with django_capture_on_commit_callbacks(execute=True):
        concern = record_concern(cast, days_ago=0, severity="immediate")
    assert told(cast.helen) == [urgent.TOLD]
    assert told(cast.sarah) == [urgent.TOLD]
    assert (
        Notification.objects.get(recipient=cast.sarah, message=urgent.TOLD).link
        == f"/concerns/{concern.pk}/"
    )
    for not_told in (cast.olivia, cast.nia, cast.tom, cast.david, cast.grace, cast.owen):
        assert told(not_told) == [], not_told.username
    assert sorted(m.to[0] for m in urgent_mail()) == sorted([cast.helen.email, cast.sarah.email])


def test_the_email_names_no_one_and_says_nothing_of_what_happened(
    cast, django_capture_on_commit_callbacks
):
    with_email(cast.helen, cast.sarah)
    with django_capture_on_commit_callbacks(execute=True):
        concern = record_concern(cast, days_ago=0, severity="immediate")
    assert urgent_mail()
    for message in urgent_mail():
        text = message.subject + message.body
        for private in ("Alice", "Moore", "call bell", "Night team", "Rose House", "Nia"):
            assert private not in text, private
        assert f"/concerns/{concern.pk}/" in message.body


def test_a_manager_of_another_service_is_not_told(cast):
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.create_user("mo", email="mo@example.org", first_name="Mo")
    Membership.objects.create(
        user=other, organisation=cast.org, role=Role.TEAM_MANAGER, service=cast.community.service
    )
    record_concern(cast, days_ago=0, severity="immediate")
    assert told(other) == []
    assert told(cast.helen) == [urgent.TOLD]


def test_a_manager_named_as_the_alleged_source_is_not_told(cast):
    record_concern(
        cast, days_ago=0, severity="immediate", source_kind="staff", source_staff=cast.helen
    )
    assert told(cast.helen) == []
    assert told(cast.sarah) == [urgent.TOLD]


def test_only_immediate_danger_is_urgent(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record_concern(cast, days_ago=0, severity="high")
        record_concern(cast, days_ago=0, severity="immediate", imported=True)
    assert told(cast.sarah) == told(cast.helen) == []
    assert not urgent_mail()


def test_a_missed_urgent_review_is_chased_to_the_lead_once(cast):
    concern = record_concern(cast, days_ago=0, severity="immediate")
    record_concern(cast, days_ago=0, severity="moderate")
    Notification.objects.all().delete()
    within_the_hour = concern.review_due_at - timedelta(minutes=5)
    assert dict(sweep.due(cast.org.pk, within_the_hour))["urgent review(s) chased"] == 0
    later = concern.review_due_at + timedelta(minutes=5)
    assert dict(sweep.due(cast.org.pk, later))["urgent review(s) chased"] == 1
    assert told(cast.sarah) == [urgent.CHASED]
    assert told(cast.helen) == []  # the chase goes to the lead
    assert told(cast.olivia) == []
    # Every later sweep leaves it: the lead has been told.
    assert dict(sweep.due(cast.org.pk, later + timedelta(hours=2)))["urgent review(s) chased"] == 0
    assert told(cast.sarah) == [urgent.CHASED]


def test_a_reviewed_urgent_concern_is_not_chased(cast):
    from sharewise.concerns import recording

    concern = record_concern(cast, days_ago=0, severity="immediate")
    Notification.objects.all().delete()
    recording.review(
        None, concern, "no_further_action", "Checked with the nurse; she is safe.", actor=cast.helen
    )
    sweep.due(cast.org.pk, timezone.now() + timedelta(hours=3))
    assert told(cast.sarah) == []


def test_the_dashboard_shows_urgent_concerns_first_until_reviewed(cast, as_user):
    from sharewise.concerns import recording

    concern = record_concern(cast, days_ago=0, severity="immediate")
    record_concern(cast, person=cast.bob, team=cast.day, days_ago=0, severity="high")
    page = as_user(cast.sarah).get("/oversight/").content.decode()
    block = page[page.index("Urgent concerns waiting for review") :]
    block = block[: block.index("</div>")]
    assert "Alice Moore" in block and "Bob Evans" not in block
    assert page.index("Urgent concerns waiting for review") < page.index(
        "Cases waiting for a decision"
    )
    recording.review(
        None, concern, "escalate", "Police called; Alice is safe with her nurse.", actor=cast.helen
    )
    page = as_user(cast.sarah).get("/oversight/").content.decode()
    assert "Urgent concerns waiting for review" not in page
