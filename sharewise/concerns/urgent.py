"""A concern recorded with immediate danger is told at once to the managers of the team
where it happened and to the organisation's safeguarding leads (in the app, and by an
email that says only that something waits), and chased to the leads once if its review
is missed. Only people who may see the concern hear of it: the one visibility rule."""

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sharewise.concerns import tasks
from sharewise.concerns.models import AwaitingReview, Concern, Severity
from sharewise.organisations.access import scopes_for
from sharewise.organisations.extensions import hooks
from sharewise.organisations.models import Membership, Role

log = logging.getLogger(__name__)

TOLD = "Urgent concern: immediate danger was recorded. Review it now."
CHASED = "Urgent concern not reviewed within the hour: it still needs a review."
EMAIL_SUBJECT = "Sharewise: an urgent safeguarding concern is waiting"


def recipients(concern: Concern, roles=(Role.TEAM_MANAGER, Role.SAFEGUARDING_LEAD)) -> dict:
    """{user id: email} of the active managers of the concern's team (team- or
    service-wide) and the organisation's safeguarding leads, of those who may see it."""
    from sharewise.concerns.access import who_may_see  # access reads recording's names

    candidates = dict(
        Membership.objects.filter(
            organisation_id=concern.organisation_id, role__in=roles, user__is_active=True
        ).values_list("user_id", "user__email")
    )
    mine = {
        user_id
        for user_id, scope in scopes_for(candidates).items()
        if (Role.TEAM_MANAGER in roles and concern.team_id in scope.managed_team_ids)
        or concern.organisation_id in scope.lead_org_ids
    }
    return {user_id: candidates[user_id] for user_id in who_may_see(mine, [concern.pk])}


def _notify(concern: Concern, people: dict, message: str) -> None:
    link = reverse("concern", args=[concern.pk])
    for notify in hooks("notices", "notify"):
        notify(people, message, link)
    addresses = sorted({email for email in people.values() if email})
    if addresses:
        # Queued with the concern, in its transaction: sent once it is saved, never for
        # a concern that was not.
        tasks.send_urgent_emails.enqueue(addresses, message, link)


def send_email(addresses, message, link) -> None:
    """No name and no detail, only that something waits and where: mail servers and
    inboxes are outside our control."""
    site = getattr(settings, "SHAREWISE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    body = (
        f"{message}\n\n{site}{link}\n\n"
        "Sign in to see the details. This email holds no personal information.\n"
    )
    try:
        send_mass_mail([(EMAIL_SUBJECT, body, None, [a]) for a in addresses])
    except Exception:  # the notification stands in the app whatever the mail server does
        log.exception("Could not send urgent concern emails")


def tell(concern: Concern) -> list[int]:
    """At once, when a concern with immediate danger is recorded. Returns who was told."""
    if concern.severity != Severity.IMMEDIATE or concern.imported:
        return []
    people = recipients(concern)
    _notify(concern, people, TOLD)
    return sorted(people)


def chase(organisation_id: int, now) -> int:
    """The leads hear once of each urgent concern whose review is overdue. Returns how
    many were chased."""
    chased = 0
    while True:
        with transaction.atomic():
            waiting = list(
                AwaitingReview.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    organisation_id=organisation_id,
                    due_at__lt=now,
                    chased_at__isnull=True,
                    concern__severity=Severity.IMMEDIATE,
                )
                .select_related("concern")
                .order_by("due_at", "pk")[:100]
            )
            if not waiting:
                return chased
            for row in waiting:
                _notify(row.concern, recipients(row.concern, (Role.SAFEGUARDING_LEAD,)), CHASED)
            AwaitingReview.objects.filter(pk__in=[w.pk for w in waiting]).update(
                chased_at=timezone.now()
            )
            chased += len(waiting)
