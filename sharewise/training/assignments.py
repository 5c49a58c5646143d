"""Giving staff a practice case or a policy to read, and marking their part done. The
pages, the API, the learning log and audit actions all assign through `assign`; a
finished attempt or a confirmed read receipt marks it done through `mark_done`."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations.models import Membership, Role, Team
from sharewise.training.models import Assigned, Assignment


def reaches(assignment: Assignment) -> set[int]:
    """The active staff an assignment is for now: those holding one of its roles (all
    roles when none is named) in one of its teams (the whole organisation when none is
    named; a team's service-wide managers work in it too), and the staff it names."""
    teams = list(Team.objects.filter(pk__in=assignment.teams.all()).values_list("pk", "service_id"))
    memberships = Membership.objects.filter(
        organisation_id=assignment.organisation_id, user__is_active=True
    ).exclude(role=Role.ADMINISTRATOR)
    if assignment.roles:
        memberships = memberships.filter(role__in=assignment.roles)
    if teams:
        memberships = memberships.filter(
            Q(team_id__in=[t for t, _ in teams]) | Q(service_id__in={s for _, s in teams})
        )
    people = set()
    if assignment.roles or teams:
        people = set(memberships.values_list("user_id", flat=True))
    named = set(
        get_user_model()
        .objects.filter(pk__in=assignment.staff.all(), is_active=True)
        .values_list("pk", flat=True)
    )
    return people | named


def add_reached(assignment: Assignment, now=None) -> int:
    """Add everyone the assignment now reaches who is not on it yet (staff who joined a
    team after it was made); nobody is ever taken off. Returns how many were added."""
    have = set(assignment.assigned.values_list("staff_id", flat=True))
    new = reaches(assignment) - have
    Assigned.objects.bulk_create(
        [
            Assigned(assignment=assignment, staff_id=pk, added_at=now or timezone.now())
            for pk in new
        ],
        ignore_conflicts=True,
    )
    return len(new)


@transaction.atomic
def assign(
    request,
    *,
    organisation_id: int,
    what: str,
    due: date,
    case_code: str = "",
    policy_kind: str = "",
    roles=(),
    team_ids=(),
    staff_ids=(),
    note: str = "",
    source: str = Assignment.Source.LEAD,
    source_id: int | None = None,
    via: str = "page",
) -> Assignment:
    """Make an assignment and give it to everyone it reaches. The caller has checked
    the permission and the choices (the form or the API schema)."""
    assignment = Assignment.objects.create(
        organisation_id=organisation_id,
        what=what,
        case_code=case_code if what == Assignment.What.CASE else "",
        policy_kind=policy_kind if what == Assignment.What.POLICY else "",
        roles=sorted(set(roles)),
        due=due,
        note=note.strip(),
        source=source,
        source_id=source_id,
        created_by=request.user,
    )
    assignment.teams.set(
        Team.objects.filter(pk__in=team_ids, service__organisation_id=organisation_id)
    )
    assignment.staff.set(
        Membership.objects.filter(organisation_id=organisation_id, user_id__in=staff_ids)
        .values_list("user_id", flat=True)
        .distinct()
    )
    reached = add_reached(assignment)
    trail.record_request(
        request,
        "assigned training",
        object_type="training assignment",
        object_id=assignment.pk,
        organisation_id=organisation_id,
        detail={
            "what": what,
            "case": assignment.case_code,
            "policy": assignment.policy_kind,
            "reached": reached,
            "source": source,
            "via": via,
        },
    )
    return assignment


def mark_done(staff, *, case_code: str = "", attempt=None, policy_kind: str = "", receipt=None):
    """Mark done this member of staff's open assignments of the case (by a finished
    attempt) or of the policy (by a receipt for the version in force). Returns how many."""
    open_ = Assigned.objects.filter(
        staff=staff, completed_at__isnull=True, assignment__withdrawn_at__isnull=True
    )
    now = timezone.now()
    if attempt is not None:
        return open_.filter(
            assignment__what=Assignment.What.CASE, assignment__case_code=case_code
        ).update(completed_at=now, attempt=attempt)
    if receipt is not None:
        return open_.filter(
            assignment__what=Assignment.What.POLICY, assignment__policy_kind=policy_kind
        ).update(completed_at=now, receipt=receipt)
    return 0
