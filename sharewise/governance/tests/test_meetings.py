"""Oversight meetings: the agenda builds itself from what needs attention, minutes are
kept per item with actions, and an action stays on every later agenda until done."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import audit_finding, record_concern
from sharewise.audittrail.models import Entry
from sharewise.disclosures.tests.test_referrals import by, example_3
from sharewise.governance import actions, agenda, meetings
from sharewise.governance.models import Action, Meeting, Minute
from sharewise.patterns.models import Alert
from sharewise.sharing import decisions


def _meeting(cast, days_ahead=0, service=None):
    at = timezone.now() + timedelta(days=days_ahead, hours=1)
    return meetings.schedule(by(cast.sarah), cast.org.pk, at, service.pk if service else None)


def _items(sections, code):
    return next(s for s in sections if s.code == code).items


@pytest.fixture
def busy(cast):
    """Alice: three concerns (an open alert), a refusal and a decision not to share due
    for review; Carol (Community North) one concern."""
    for days in (20, 10, 5):
        record_concern(cast, days_ago=days)
    decisions.record_consent(
        by(cast.nia),
        cast.alice,
        {
            "purpose": "Telling the council about the call bell",
            "outcome": "refused",
            "explained_how": "Sat with her and explained who we would tell and why.",
            "capacity": "presumed",
            "asked_at": timezone.now() - timedelta(days=3),
        },
    )
    cast.refusal_decision = example_3(cast, outcome="do_not_share")
    record_concern(cast, person=cast.carol, team=cast.community, by=cast.priya, days_ago=2)
    return cast


def test_agenda_builds_itself_from_what_needs_attention(busy):
    c = busy
    meeting = _meeting(c)
    sections = meetings.agenda(meeting, c.sarah)
    codes = [s.code for s in sections]
    assert codes == [
        "follow_up",
        "overdue_actions",
        "alerts",
        "over_threshold",
        "reviews_due",
        "refusals",
        "recent_decisions",
        "findings",
        "other",
    ]
    alerts = _items(sections, "alerts")
    waiting = Alert.objects.filter(organisation=c.org).needing_decision()
    assert {i.record_id for i in alerts} == set(waiting.values_list("pk", flat=True))
    assert any(i.person == c.alice for i in alerts)
    refusals = _items(sections, "refusals")
    assert [i.person for i in refusals] == [c.alice]
    assert "refused" in refusals[0].title
    reviews = _items(sections, "reviews_due")
    assert [i.record_id for i in reviews] == [c.refusal_decision.pk]
    recent = _items(sections, "recent_decisions")
    assert c.refusal_decision.pk in [i.record_id for i in recent]


def test_decided_alerts_and_other_organisations_stay_off_the_agenda(busy):
    c = busy
    from sharewise.patterns import operations as alertlib

    alert = Alert.objects.filter(organisation=c.org, person=c.alice).needing_decision().first()
    alertlib.decide(
        by(c.sarah),
        alert,
        "no_further_action",
        "Read the whole chronology with the manager; each concern was followed up properly.",
    )
    sections = meetings.agenda(_meeting(c), c.sarah)
    assert alert.pk not in [i.record_id for i in _items(sections, "alerts")]
    other = meetings.schedule(by(c.olivia), c.other_org.pk, timezone.now() + timedelta(days=1))
    for s in meetings.agenda(other, c.olivia):
        assert all(i.person is None or i.person.organisation_id == c.other_org.pk for i in s.items)
        assert s.code in ("other",) or not s.items


def test_a_service_meeting_only_lists_that_services_people(busy):
    c = busy
    sections = meetings.agenda(_meeting(c, service=c.riverside), c.sarah)
    people = {i.person for s in sections for i in s.items if i.person}
    assert c.alice not in people


def test_minute_with_an_action_follows_it_up_at_the_next_meeting_until_done(busy):
    c = busy
    first = _meeting(c)
    item = _items(meetings.agenda(first, c.sarah), "refusals")[0]
    minute = meetings.record_minute(
        by(c.sarah),
        first,
        item,
        {
            "discussion": "Alice refused again; her son visits daily and she seems frightened.",
            "decision": "Reconsider sharing with the council.",
            "action": "Ask Alice again with an advocate present",
            "owner": c.helen,
            "due": timezone.localdate() + timedelta(days=7),
        },
    )
    action = Action.objects.get(minute=minute)
    assert action.owner == c.helen

    second = _meeting(c, days_ahead=28)
    follow = _items(meetings.agenda(second, c.sarah), "follow_up")
    assert [i.record_id for i in follow] == [action.pk]
    assert "Ask Alice again" in follow[0].title and "Helen Marsh" in follow[0].detail

    actions.complete(by(c.helen), action, "Asked with the advocate; she agreed to a referral.")
    third = _meeting(c, days_ahead=56)
    assert _items(meetings.agenda(third, c.sarah), "follow_up") == []
    # The minute shows against its item on the meeting it was taken at.
    again = _items(meetings.agenda(first, c.sarah), "refusals")[0]
    assert [m.pk for m in again.minutes] == [minute.pk]


def test_half_an_action_is_refused_and_nothing_is_written(busy):
    c = busy
    meeting = _meeting(c)
    item = _items(meetings.agenda(meeting, c.sarah), "refusals")[0]
    with pytest.raises(ValidationError) as refused:
        meetings.record_minute(
            by(c.sarah),
            meeting,
            item,
            {"discussion": "We talked about it at length.", "action": "Ask again"},
        )
    assert set(refused.value.message_dict) >= {"owner", "due"}
    with pytest.raises(ValidationError) as short:
        meetings.record_minute(by(c.sarah), meeting, item, {"discussion": "Noted."})
    assert "at least 3 words" in short.value.message_dict["discussion"][0]
    assert not Minute.objects.exists() and not Action.objects.exists()


def test_overdue_actions_and_new_findings_reach_the_agenda(busy):
    c = busy
    _, finding = audit_finding(c, criterion="break_glass_unreviewed")
    late = actions.add(
        by(c.sarah),
        c.org.pk,
        "Review every break-glass access weekly",
        c.sarah,
        timezone.localdate(),
        finding=None,
    )
    Action.objects.filter(pk=late.pk).update(due=timezone.localdate() - timedelta(days=3))
    sections = meetings.agenda(_meeting(c), c.sarah)
    assert [i.record_id for i in _items(sections, "findings")] == [finding.pk]
    assert [i.record_id for i in _items(sections, "overdue_actions")] == [late.pk]


def test_signed_off_minutes_take_no_more(busy):
    c = busy
    meeting = _meeting(c)
    other = _items(meetings.agenda(meeting, c.sarah), "other")[0]
    with pytest.raises(ValidationError):
        meetings.sign_off(by(c.sarah), meeting)
    meetings.record_minute(by(c.sarah), meeting, other, {"discussion": "Staffing over winter."})
    meetings.sign_off(by(c.sarah), meeting)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError) as closed:
        meetings.record_minute(by(c.sarah), meeting, other, {"discussion": "One more thing here."})
    assert "signed off" in closed.value.message_dict["discussion"][0]


# --- pages --------------------------------------------------------------------------


def test_lead_minutes_an_item_on_the_page_and_it_reaches_the_chronology(busy, as_user):
    c = busy
    meeting = _meeting(c)
    client = as_user(c.sarah)
    page = client.get(f"/governance/meetings/{meeting.pk}/")
    assert page.status_code == 200
    assert "Refusals of consent" in page.content.decode()
    assert Entry.objects.filter(
        action="viewed meeting agenda", person_id=c.alice.pk, object_id=str(meeting.pk)
    ).exists()
    item = _items(meetings.agenda(meeting, c.sarah), "refusals")[0]
    due = timezone.localdate() + timedelta(days=10)
    posted = client.post(
        f"/governance/meetings/{meeting.pk}/",
        {
            "item": item.key,
            "discussion": "Alice refused; the pattern of visits worries the team.",
            "decision": "",
            "action": "Book a capacity assessment for this decision",
            "owner": c.helen.pk,
            "due_0": due.day,
            "due_1": due.month,
            "due_2": due.year,
        },
    )
    assert posted.status_code == 302
    action = Action.objects.get()
    assert action.owner == c.helen and action.due == due
    client.get(f"/governance/actions/{action.pk}/")
    assert Entry.objects.filter(
        action="viewed action", person_id=c.alice.pk, object_id=str(action.pk)
    ).exists()
    chronology = client.get(f"/people/{c.alice.pk}/chronology/").content.decode()
    assert "Discussed at the oversight meeting" in chronology
    assert "Book a capacity assessment" in chronology


def test_a_refused_minute_keeps_what_was_typed(busy, as_user):
    c = busy
    meeting = _meeting(c)
    item = _items(meetings.agenda(meeting, c.sarah), "refusals")[0]
    page = as_user(c.sarah).post(
        f"/governance/meetings/{meeting.pk}/",
        {"item": item.key, "discussion": "Long talk about the son", "action": "Call the GP"},
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "The minute was not saved" in body
    assert "Long talk about the son" in body and "Call the GP" in body
    assert not Minute.objects.exists()


@pytest.mark.parametrize("who", ["nia", "helen", "grace", "david", "owen"])
def test_only_leads_hold_meetings(busy, as_user, who):
    c = busy
    meeting = _meeting(c)
    client = as_user(getattr(c, who))
    assert client.get("/governance/meetings/").status_code == 403
    assert client.get(f"/governance/meetings/{meeting.pk}/").status_code == 403


def test_another_organisations_meeting_is_not_found(busy, as_user):
    meeting = _meeting(busy)
    assert as_user(busy.olivia).get(f"/governance/meetings/{meeting.pk}/").status_code == 404


def test_a_long_section_says_how_many_more_there_are(busy, monkeypatch):
    monkeypatch.setattr(agenda, "SHOWN", 1)
    for days in (9, 7, 4):
        record_concern(busy, person=busy.bob, team=busy.day, by=busy.tom, days_ago=days)
    alerts = next(s for s in meetings.agenda(_meeting(busy), busy.sarah) if s.code == "alerts")
    waiting = Alert.objects.filter(organisation=busy.org).needing_decision().count()
    assert waiting > 2
    assert len(alerts.items) == 1 and alerts.more == waiting - 1


def test_signed_off_minutes_keep_the_agenda_the_meeting_saw(busy, as_user):
    c = busy
    signed, unsigned = _meeting(c), _meeting(c)
    other = _items(meetings.agenda(signed, c.sarah), "other")[0]
    meetings.record_minute(by(c.sarah), signed, other, {"discussion": "Staffing over winter."})
    meetings.sign_off(by(c.sarah), signed)
    client = as_user(c.sarah)
    before = client.get(f"/governance/meetings/{signed.pk}/").content.decode()
    assert "as the meeting saw it when the minutes were signed off" in before

    # After sign-off: Carol's concerns raise a new alert, and an audit action falls due.
    for days in (3, 2, 1):
        record_concern(c, person=c.carol, team=c.community, by=c.priya, days_ago=days)
    new_alert = Alert.objects.get(person=c.carol, rule="cumulative")
    _, finding = audit_finding(c)
    late = actions.add(
        by(c.sarah),
        c.org.pk,
        "Retrain the night team",
        c.helen,
        timezone.localdate(),
        finding=finding,
    )
    Action.objects.filter(pk=late.pk).update(due=timezone.localdate() - timedelta(days=3))
    alert_link = reverse("alert", args=[new_alert.pk])
    action_link = reverse("action", args=[late.pk])

    after = client.get(f"/governance/meetings/{signed.pk}/").content.decode()
    assert alert_link not in after and action_link not in after
    assert "Staffing over winter." in after
    live = client.get(f"/governance/meetings/{unsigned.pk}/").content.decode()
    assert alert_link in live and action_link in live
    assert "as the meeting saw it" not in live
    # The API reads the same frozen agenda.
    frozen = meetings.agenda(Meeting.objects.get(pk=signed.pk), c.sarah)
    assert new_alert.pk not in [i.record_id for i in _items(frozen, "alerts")]
    assert _items(frozen, "alerts"), "the alert the meeting saw is still on its agenda"


def test_new_findings_are_not_narrowed_when_the_lead_is_named_in_a_concern(busy):
    """A lead named as the alleged source in a concern about Alice sees Alice's score
    worked out afresh; the findings about everyone else stay on the agenda."""
    from conftest import audit_finding
    from sharewise.patterns import scores
    from sharewise.patterns.models import RiskScore

    c = busy
    record_concern(c, days_ago=1, severity="high", source_kind="staff", source_staff=c.sarah)
    _, fresh = scores.split_for(c.sarah, RiskScore.objects.filter(organisation=c.org))
    assert fresh, "Sarah sees a score worked out afresh"
    _, finding = audit_finding(c, person=c.bob)
    findings = _items(meetings.agenda(_meeting(c), c.sarah), "findings")
    assert finding.pk in [i.record_id for i in findings]
