"""The demo's governance: last month's oversight meeting left an action for Rose
House's manager, which the next meeting's agenda follows up; she supervised the day
carer recently and the night carer is overdue; the learning log holds the lesson
behind the decision framework; and a safeguarding audit of the past year has run."""

from datetime import datetime, time, timedelta
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.utils import timezone

from sharewise.governance import audits, learning, meetings, supervision
from sharewise.governance.models import Meeting
from sharewise.policy import store


def extend_demo(org, today):
    users = {u.username: u for u in get_user_model().objects.filter(memberships__organisation=org)}
    lead, manager = users["lead"], users["manager.rose"]

    def by(user):
        return SimpleNamespace(user=user, META={"REMOTE_ADDR": "127.0.0.1"})

    held = timezone.make_aware(datetime.combine(today - timedelta(days=27), time(10)))
    meeting = meetings.schedule(by(lead), org.pk, held)
    other = next(s for s in meetings.agenda(meeting, lead) if s.code == "other").items[0]
    meetings.record_minute(
        by(lead),
        meeting,
        other,
        {
            "discussion": "Night shift concerns often record what staff saw but not what the "
            "person said, so refusals and wishes are lost between shifts.",
            "decision": "Every concern records the person's own words where they gave any.",
            "action": "Brief the Rose House night team on recording the person's own words",
            "owner": manager,
            "due": today + timedelta(days=5),
        },
    )
    Meeting.objects.filter(pk=meeting.pk).update(closed_at=held + timedelta(hours=2))

    supervision.record(
        by(manager),
        org.pk,
        users["carer.day"],
        {
            "responses": {
                "1": "The night staff and Dorothy's neighbour may have seen the nephew too.",
                "2": "Dorothy would keep losing money and nobody would ever add it up.",
            },
            "reflection": "I wrote what Dorothy told me but did not ask who else was there.",
            "learning": "Ask who else saw or heard something, and write their role, not "
            "their name, in the concern.",
            "next_due": today + timedelta(days=36),
        },
    )
    version, _ = store.in_force(org.pk, "sharing")
    learning.record(
        by(lead),
        org.pk,
        {
            "title": "Refusals accepted as the end of the matter",
            "source": "internal_review",
            "what_happened": "A resident refused a referral several times; each shift accepted "
            "the refusal and nobody weighed the repeated concerns together.",
            "failure_pattern": "consent",
            "policy_versions": [version.pk],
            "measure": "refusals_reviewed",
            "changed_on": today - timedelta(days=60),
            "window_days": 60,
        },
    )
    run = audits.run_now(org.pk, today - timedelta(days=365), today, user=users.get("auditor"))
    return (
        f"an oversight meeting with an open action, a supervision, a lesson and an audit "
        f"with {run.total} findings"
    )
