"""The learning log and actions: a lesson names its failure pattern, the policy
versions it changed and a measure; actions are agreed with an owner and a due date
and followed to closure."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import audit_finding, record_concern
from sharewise.disclosures.tests.test_referrals import by
from sharewise.governance import actions, learning
from sharewise.governance.models import Action, Finding, Lesson
from sharewise.patterns.models import Notification
from sharewise.policy import store


def _lesson(cast, **over):
    version, _ = store.in_force(cast.org.pk, "sharing")
    data = {
        "title": "Refusals accepted without escalation",
        "source": "sar",
        "what_happened": "Repeated refusals were accepted on every shift and nobody escalated.",
        "failure_pattern": "consent",
        "policy_versions": [version.pk],
        "measure": "refusals_reviewed",
        "changed_on": timezone.localdate() - timedelta(days=10),
        "window_days": 30,
        **over,
    }
    return learning.record(by(cast.sarah), cast.org.pk, data)


def test_a_lesson_records_pattern_policy_and_measure(cast):
    lesson = _lesson(cast)
    assert lesson.get_failure_pattern_display() == "Over-reliance on consent"
    assert [v.kind for v in lesson.policy_versions.all()] == ["sharing"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"title": "x"}, "title"),
        ({"source": "rumour"}, "source"),
        ({"what_happened": "Bad."}, "what_happened"),
        ({"failure_pattern": "luck"}, "failure_pattern"),
        ({"measure": "vibes"}, "measure"),
        ({"changed_on": None}, "changed_on"),
        ({"window_days": 3}, "window_days"),
        ({"finding": 999999}, "finding"),
    ],
)
def test_a_lesson_missing_something_is_refused_and_nothing_saved(cast, change, field):
    with pytest.raises(ValidationError) as refused:
        _lesson(cast, **change)
    assert field in refused.value.message_dict
    assert not Lesson.objects.exists()


def test_a_lesson_cannot_claim_another_organisations_policy(cast):
    theirs, _ = store.in_force(cast.other_org.pk, "sharing")
    with pytest.raises(ValidationError) as refused:
        _lesson(cast, policy_versions=[theirs.pk])
    assert "policy_versions" in refused.value.message_dict


def test_the_lesson_page_shows_the_measure_before_and_after(cast, as_user):
    c = cast
    for days in (25, 5):
        record_concern(c, days_ago=days)
    lesson = _lesson(c, measure="recording_standards_met")
    page = as_user(c.sarah).get(f"/governance/learning/{lesson.pk}/").content.decode()
    assert "Did it work?" in page
    assert (
        "Concerns meeting every recording standard: 100.0% before (1), 100.0% after (1, so far)"
        in page
    )


def test_actions_need_an_owner_in_the_organisation_and_a_future_date(cast):
    c = cast
    with pytest.raises(ValidationError) as refused:
        actions.add(by(c.sarah), c.org.pk, "Do", c.olivia, timezone.localdate() - timedelta(days=1))
    assert set(refused.value.message_dict) == {"description", "owner", "due"}
    assert not Action.objects.exists()


def test_an_action_notifies_its_owner_and_closing_all_actions_closes_the_finding(cast):
    c = cast
    _, finding = audit_finding(c)
    due = timezone.localdate() + timedelta(days=14)
    first = actions.add(
        by(c.sarah), c.org.pk, "Remind managers of review times", c.helen, due, finding=finding
    )
    second = actions.add(
        by(c.sarah), c.org.pk, "Add reviews to the handover sheet", c.helen, due, finding=finding
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.ACTIONED
    note = Notification.objects.get(recipient=c.helen, link=f"/governance/actions/{first.pk}/")
    assert "Remind managers" in note.message
    actions.complete(by(c.helen), first, "Reminded at the managers' meeting on Monday.")
    finding.refresh_from_db()
    assert finding.status == Finding.Status.ACTIONED
    actions.complete(by(c.helen), second, "Handover sheet now lists reviews due.")
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLOSED and finding.closed_at
    with pytest.raises(ValidationError):
        actions.complete(by(c.helen), second, "Done again, twice over.")


def test_an_owner_sees_and_closes_their_action_but_not_others(cast, as_user):
    c = cast
    due = timezone.localdate() + timedelta(days=7)
    hers = actions.add(by(c.sarah), c.org.pk, "Check the night handover", c.nia, due)
    other = actions.add(by(c.sarah), c.org.pk, "Check the day handover", c.tom, due)
    client = as_user(c.nia)
    listing = client.get("/governance/actions/").content.decode()
    assert "Check the night handover" in listing and "Check the day handover" not in listing
    assert client.get(f"/governance/actions/{other.pk}/").status_code == 404
    refused = client.post(f"/governance/actions/{hers.pk}/", {"note": "ok"})
    assert "at least 3 words" in refused.content.decode()
    client.post(f"/governance/actions/{hers.pk}/", {"note": "Checked with the night nurse."})
    hers.refresh_from_db()
    assert hers.is_done and hers.done_by == c.nia
    assert as_user(c.olivia).get(f"/governance/actions/{hers.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["nia", "helen", "owen"])
def test_the_learning_log_is_refused_to_other_roles(cast, as_user, who):
    lesson = _lesson(cast)
    client = as_user(getattr(cast, who))
    assert client.get("/governance/learning/").status_code == 403
    assert client.get(f"/governance/learning/{lesson.pk}/").status_code == 403


def test_the_sweep_tells_an_owner_once_when_their_action_is_overdue(cast):
    from sharewise.patterns import sweep

    c = cast
    late = actions.add(
        by(c.sarah), c.org.pk, "Check the night handover", c.nia, timezone.localdate()
    )
    actions.add(
        by(c.sarah),
        c.org.pk,
        "Check the day handover",
        c.tom,
        timezone.localdate() + timedelta(days=5),
    )
    Action.objects.filter(pk=late.pk).update(due=timezone.localdate() - timedelta(days=2))
    first = sweep.run()
    assert first.more["overdue action(s) notified"] == 1
    told = Notification.objects.filter(recipient=c.nia, message__startswith="Overdue since")
    assert told.count() == 1 and told.get().link == f"/governance/actions/{late.pk}/"
    assert not Notification.objects.filter(
        recipient=c.tom, message__startswith="Overdue since"
    ).exists()
    assert sweep.run().more["overdue action(s) notified"] == 0


def test_a_finding_needing_no_action_is_closed_with_the_reason(cast, as_user):
    c = cast
    _, finding = audit_finding(c, person=c.alice)
    client = as_user(c.sarah)
    short = client.post(f"/governance/findings/{finding.pk}/", {"close": "yes", "reason": "ok"})
    assert "at least 5 words" in short.content.decode()
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
    reason = "Reviewed the next morning by the night manager; the queue was wrong."
    client.post(f"/governance/findings/{finding.pk}/", {"close": "yes", "reason": reason})
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLOSED
    assert finding.closed_by == c.sarah and finding.closed_note == reason
    page = client.get(f"/governance/findings/{finding.pk}/").content.decode()
    assert "Closed without an action by Sarah Whitfield" in page
    assert "Agree the action" not in page


def test_a_finding_with_open_actions_cannot_be_closed_by_hand(cast):
    c = cast
    _, finding = audit_finding(c)
    actions.add(
        by(c.sarah),
        c.org.pk,
        "Remind the night team of review times",
        c.helen,
        timezone.localdate() + timedelta(days=3),
        finding=finding,
    )
    with pytest.raises(ValidationError) as refused:
        actions.close_finding(by(c.sarah), finding, "Nothing to do here after all, really.")
    assert "closes when they are done" in refused.value.messages[0]
