"""The governance step of `manage.py sweep` (found by patterns.sweep through hooks):
the owner of an action past its due date is told, once."""

from django.urls import reverse
from django.utils import timezone

from sharewise.governance import actions
from sharewise.governance.models import Action
from sharewise.patterns.models import Notification


def due(organisation_id, now) -> list[tuple[str, int]]:
    return [
        ("overdue action(s) notified", _overdue_actions(organisation_id, now)),
    ]


def _overdue_actions(organisation_id, now) -> int:
    late = list(
        actions.overdue(organisation_id, timezone.localdate(now)).filter(
            overdue_notified_at__isnull=True
        )
    )
    Notification.objects.bulk_create(
        Notification(
            recipient_id=a.owner_id,
            created_at=now,
            message=f"Overdue since {a.due:%-d %B %Y}: {a.description[:120]}",
            link=reverse("action", args=[a.pk]),
        )
        for a in late
    )
    Action.objects.filter(pk__in=[a.pk for a in late]).update(overdue_notified_at=now)
    return len(late)
