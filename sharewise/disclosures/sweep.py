"""The disclosures step of `manage.py sweep` (found by patterns.sweep through hooks): a
referral, or what was told to a partner, not acknowledged after the policy's days is
chased once, to its sender and the safeguarding leads."""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sharewise.disclosures.models import Chase
from sharewise.disclosures.responses import unacknowledged
from sharewise.organisations.models import Membership, Role
from sharewise.patterns.models import Notification
from sharewise.policy import store

CHUNK = 500


def due(organisation_id, now) -> list[tuple[str, int]]:
    return [("unacknowledged disclosure(s) chased", chase(organisation_id, now))]


def chase(organisation_id, now) -> int:
    _, policy = store.in_force(organisation_id, "referrals")
    cutoff = now - timedelta(days=policy.acknowledgement_chase_days)
    leads = set(
        Membership.objects.filter(
            organisation_id=organisation_id, role=Role.SAFEGUARDING_LEAD, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    with transaction.atomic():
        late = list(
            unacknowledged(organisation_id, cutoff)
            .filter(chase__isnull=True)
            .order_by("sent_at", "pk")
            .values_list("pk", "kind", "sent_at", "recipient_organisation", "sent_by_id")[:CHUNK]
        )
        if not late:
            return 0
        # Two sweeps at once: the one that writes the chase first tells people.
        made = Chase.objects.bulk_create(
            [Chase(disclosure_id=pk, chased_at=now) for pk, *_ in late], ignore_conflicts=True
        )
        notes = []
        for pk, kind, sent_at, to, sender in late:
            what = "a referral sent" if kind == "referral" else "what was told"
            # No name of the person: the link leads to it for those who may see it.
            message = (
                f"No acknowledgement yet: {what} on {timezone.localtime(sent_at):%-d %B %Y} to {to}. "
                "Chase the partner, then record their acknowledgement."
            )
            link = reverse("disclosure", args=[pk])
            for user_id in sorted(leads | {sender}):
                notes.append(
                    Notification(recipient_id=user_id, created_at=now, message=message, link=link)
                )
        Notification.objects.bulk_create(notes)
    return len(made)
