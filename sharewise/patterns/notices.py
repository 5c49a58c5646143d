"""Notices that earlier apps raise for the safeguarding leads (found through
organisations.extensions), delivered as the leads' in-app notifications."""

from sharewise.organisations.models import Membership, Role
from sharewise.patterns.models import Notification


def tell_safeguarding_leads(organisation_id, message, link, *, leave_out=None) -> list[int]:
    """A notification for each active safeguarding lead of the organisation (but not
    the one it is about). Returns who was told."""
    leads = set(
        Membership.objects.filter(
            organisation_id=organisation_id, role=Role.SAFEGUARDING_LEAD, user__is_active=True
        ).values_list("user_id", flat=True)
    ) - {leave_out}
    Notification.objects.bulk_create(
        Notification(recipient_id=lead, message=message, link=link) for lead in sorted(leads)
    )
    return sorted(leads)
