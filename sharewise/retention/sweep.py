"""The retention step of `manage.py sweep` (found by patterns.sweep through hooks):
once a month, on the policy's review day, the month's review list is made and the
data protection officer told how many people are due and held (naming no one)."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from sharewise.organisations.models import Membership, Role
from sharewise.patterns.models import Notification
from sharewise.policy import store
from sharewise.retention import review
from sharewise.retention.models import Review


def due(organisation_id, now) -> list[tuple[str, int]]:
    return [("retention review(s) made", _monthly_review(organisation_id, now))]


def _monthly_review(organisation_id, now) -> int:
    today = timezone.localdate(now)
    version, policy = store.in_force(organisation_id, "retention")
    month = today.replace(day=1)
    if (
        today.day < policy.review_day
        or Review.objects.filter(organisation_id=organisation_id, month=month).exists()
    ):
        return 0
    found = review.review_list(organisation_id, today)
    try:
        with transaction.atomic():
            made = Review.objects.create(
                organisation_id=organisation_id,
                month=month,
                made_at=now,
                policy_version=version,
                due_ids=[r.person.pk for r in found.due],
                held_ids=[r.person.pk for r in found.held],
            )
    except IntegrityError:  # another sweep made it first
        return 0
    officers = Membership.objects.filter(
        organisation_id=organisation_id,
        role=Role.DATA_PROTECTION_OFFICER,
        user__is_active=True,
    ).values_list("user_id", flat=True)
    Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            created_at=now,
            message=(
                f"Retention review for {made.month:%B %Y}: {len(made.due_ids)} "
                f"{'person is' if len(made.due_ids) == 1 else 'people are'} due for "
                f"destruction and {len(made.held_ids)} held"
            ),
            link=reverse("retention_review"),
        )
        for user_id in sorted(set(officers))
    )
    return 1
