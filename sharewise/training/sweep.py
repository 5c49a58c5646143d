"""The training step of `manage.py sweep` (found by patterns.sweep through hooks):
assignments pick up staff who now match, staff are reminded once of what is due
within three days, overdue ones are flagged once to them and to the lead who assigned
them, and staff are reminded once of a policy version left unconfirmed two weeks.
Each reminder is marked as sent, so running twice sends nothing twice."""

from collections import defaultdict
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from sharewise.patterns.notices import notify
from sharewise.policy.models import PolicyVersion
from sharewise.training import applies, assignments, receipts
from sharewise.training.models import Assigned, Assignment, PolicyReminder, Receipt

REMIND_DAYS = 3
CONFIRM_DAYS = 14


def due(organisation_id, now) -> list[tuple[str, int]]:
    today = timezone.localdate(now)
    return [
        ("staff added to training assignments", _top_up(organisation_id, today, now)),
        ("training reminders sent", _remind(organisation_id, today, now)),
        ("overdue training flagged", _flag_overdue(organisation_id, today, now)),
        ("policy confirmation reminders sent", _remind_to_confirm(organisation_id, now)),
    ]


def _open(organisation_id):
    return Assigned.objects.filter(
        assignment__organisation_id=organisation_id,
        assignment__withdrawn_at__isnull=True,
        completed_at__isnull=True,
    ).select_related("assignment")


def _top_up(organisation_id, today, now) -> int:
    added = 0
    for assignment in Assignment.objects.filter(
        organisation_id=organisation_id, withdrawn_at__isnull=True, due__gte=today
    ):
        new = assignments.add_new(assignment, now)
        assignments.tell_assigned(assignment, new)
        added += len(new)
    return added


def _remind(organisation_id, today, now) -> int:
    soon = list(
        _open(organisation_id).filter(
            reminded_at__isnull=True,
            assignment__due__gte=today,
            assignment__due__lte=today + timedelta(days=REMIND_DAYS),
        )
    )
    link = reverse("your_training")
    for a in soon:
        notify(
            [a.staff_id],
            f"Due by {a.assignment.due:%-d %B %Y}: {assignments.title(a.assignment)}",
            link,
        )
    Assigned.objects.filter(pk__in=[a.pk for a in soon]).update(reminded_at=now)
    return len(soon)


def _flag_overdue(organisation_id, today, now) -> int:
    late = list(
        _open(organisation_id).filter(overdue_flagged_at__isnull=True, assignment__due__lt=today)
    )
    by_assignment = defaultdict(list)
    link = reverse("your_training")
    for a in late:
        by_assignment[a.assignment].append(a)
        notify(
            [a.staff_id],
            f"Overdue since {a.assignment.due:%-d %B %Y}: {assignments.title(a.assignment)}",
            link,
        )
    for assignment, rows in by_assignment.items():
        notify(
            [assignment.created_by_id],
            f"{len(rows)} member(s) of staff have not done "
            f"{assignments.title(assignment)}, due {assignment.due:%-d %B %Y}",
            reverse("assignment", args=[assignment.pk]),
        )
    Assigned.objects.filter(pk__in=[a.pk for a in late]).update(overdue_flagged_at=now)
    return len(late)


def _remind_to_confirm(organisation_id, now) -> int:
    sent = 0
    for kind in applies.KINDS:
        latest = (
            PolicyVersion.objects.filter(organisation_id=organisation_id, kind=kind)
            .order_by("-version")
            .first()
        )
        if latest is None or latest.version < 2:
            continue
        if latest.created_at > now - timedelta(days=CONFIRM_DAYS):
            continue
        waiting = (
            receipts.staff_for(organisation_id, kind)
            - set(Receipt.objects.filter(policy=latest).values_list("staff_id", flat=True))
            - set(PolicyReminder.objects.filter(policy=latest).values_list("staff_id", flat=True))
        )
        notify(
            waiting,
            f"Please confirm you have read version {latest.version} of the "
            f"{applies.TITLES[kind].lower()}",
            reverse("confirm_policy", args=[kind]),
        )
        PolicyReminder.objects.bulk_create(
            [PolicyReminder(staff_id=pk, policy=latest, sent_at=now) for pk in waiting],
            ignore_conflicts=True,
        )
        sent += len(waiting)
    return sent
