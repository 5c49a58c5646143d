"""What governance adds to a person's chronology: each oversight meeting discussion."""

from django.urls import reverse

from sharewise.governance.models import Minute
from sharewise.organisations.models import staff_name


def chronology_entries(request, person_ids) -> list[dict]:
    may_open = request.user.has_perm("governance.hold_meetings")
    entries = []
    for m in (
        Minute.objects.filter(person_id__in=person_ids)
        .select_related("meeting", "recorded_by")
        .prefetch_related("actions__owner")
    ):
        summary = m.discussion
        if m.decision:
            summary += f" Decision: {m.decision}"
        for a in m.actions.all():
            summary += f" Action: {a.description} ({staff_name(a.owner)}, due {a.due:%-d %B %Y})."
        entries.append(
            {
                "at": m.recorded_at,
                "kind": "meeting",
                "title": f"Discussed at the oversight meeting of {m.meeting.held_at:%-d %B %Y}",
                "summary": summary,
                "by": staff_name(m.recorded_by),
                "url": reverse("meeting", args=[m.meeting_id]) if may_open else "",
            }
        )
    return entries
