"""The subject access step of `manage.py sweep` (found by patterns.sweep through hooks):
the organisation's data protection officers are told once when a request falls due
within a week, and once when it is overdue. The message names no one: it links to the
request."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from sharewise.organisations.models import Membership, Role
from sharewise.patterns.models import Notification
from sharewise.rights import deadlines
from sharewise.rights.models import SubjectAccessRequest


def due(organisation_id, now) -> list[tuple[str, int]]:
    today = timezone.localdate(now)
    found = SubjectAccessRequest.objects.filter(
        organisation_id=organisation_id,
        status__in=SubjectAccessRequest.OPEN,
        deadline__lte=today + timedelta(days=deadlines.SOON_DAYS),
    )
    overdue = list(found.filter(deadline__lt=today, overdue_notified_at__isnull=True))
    soon = list(
        found.filter(
            deadline__gte=today, due_soon_notified_at__isnull=True, overdue_notified_at__isnull=True
        )
    )
    officers = list(
        Membership.objects.filter(
            organisation_id=organisation_id, role=Role.DATA_PROTECTION_OFFICER
        )
        .values_list("user_id", flat=True)
        .distinct()
    )

    def tell(requests, text):
        Notification.objects.bulk_create(
            Notification(
                recipient_id=officer,
                created_at=now,
                message=text(x),
                link=reverse("subject_access_request", args=[x.pk]),
            )
            for x in requests
            for officer in officers
        )

    tell(
        overdue,
        lambda x: f"Subject access request {x.pk} is overdue: it was due by {x.deadline:%-d %B %Y}",
    )
    tell(soon, lambda x: f"Subject access request {x.pk} is due by {x.deadline:%-d %B %Y}")
    SubjectAccessRequest.objects.filter(pk__in=[x.pk for x in overdue]).update(
        overdue_notified_at=now
    )
    SubjectAccessRequest.objects.filter(pk__in=[x.pk for x in soon]).update(
        due_soon_notified_at=now
    )
    return [
        ("subject access request(s) overdue notified", len(overdue)),
        ("subject access request(s) falling due notified", len(soon)),
    ]
