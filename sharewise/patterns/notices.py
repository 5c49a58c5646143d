"""Notifications asked for by the apps below this one (organisations), which cannot
import it: found through organisations.extensions.hooks, delivered in-app."""

from sharewise.organisations.models import Membership, Role
from sharewise.patterns.models import Notification


def notify(user_ids, message: str, link: str = "") -> None:
    Notification.objects.bulk_create(
        Notification(recipient_id=user_id, message=message, link=link)
        for user_id in sorted(user_ids)
    )


def tell_safeguarding_leads(organisation_id, message, link, *, leave_out=None) -> list[int]:
    """A notification for each active safeguarding lead of the organisation (but not
    the one it is about). Returns who was told."""
    leads = set(
        Membership.objects.filter(
            organisation_id=organisation_id, role=Role.SAFEGUARDING_LEAD, user__is_active=True
        ).values_list("user_id", flat=True)
    ) - {leave_out}
    notify(leads, message, link)
    return sorted(leads)
