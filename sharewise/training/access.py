"""Whose training a member of staff may see, and fetching attempts and assignments
within it. A member of staff sees their own; a team manager, staff working in the
teams they manage; a safeguarding lead, everyone in their organisation. Outside that,
an attempt or assignment is simply not found."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Membership, Role
from sharewise.training.assignments import ONLY_LEADS
from sharewise.training.models import Assigned, Assignment, Attempt, Receipt


def staff_visible_to(user):
    """The staff whose practice results, receipts and assignments `user` may see."""
    User = get_user_model()
    scope = scope_for(user)
    if not scope.organisation_ids:
        return User.objects.none()
    seen = Q(pk=user.pk)
    if scope.lead_org_ids:
        seen |= Q(
            pk__in=Membership.objects.filter(organisation_id__in=scope.lead_org_ids).values(
                "user_id"
            )
        )
    if scope.managed_team_ids:
        seen |= Q(
            pk__in=Membership.objects.filter(
                Q(team_id__in=scope.managed_team_ids)
                | Q(service__teams__in=scope.managed_team_ids),
                role__in=[Role.CARE_WORKER, Role.TEAM_MANAGER],
            ).values("user_id")
        )
    return User.objects.filter(seen).distinct()


def attempts_visible_to(user):
    return Attempt.objects.filter(
        organisation_id__in=scope_for(user).organisation_ids,
        staff__in=staff_visible_to(user).values("pk"),
    )


def get_attempt_for(request, attempt_id: int) -> Attempt:
    return get_object_or_404(attempts_visible_to(request.user), pk=attempt_id)


def assignments_visible_to(user):
    """Leads see every assignment in their organisation; anyone else, the assignments
    that reach them or staff they may see."""
    scope = scope_for(user)
    if scope.lead_org_ids:
        return Assignment.objects.filter(organisation_id__in=scope.lead_org_ids)
    reached = Assigned.objects.filter(staff__in=staff_visible_to(user).values("pk"))
    return Assignment.objects.filter(
        organisation_id__in=scope.organisation_ids, pk__in=reached.values("assignment_id")
    )


def get_assignment_for(request, assignment_id: int) -> Assignment:
    return get_object_or_404(assignments_visible_to(request.user), pk=assignment_id)


# --- Assignments and read receipts ---------------------------------------------------


def receipts_visible_to(user):
    """Read receipts of the staff `user` may see (their own; their teams' for a
    manager; everyone's in the organisation for a lead)."""
    return Receipt.objects.filter(
        organisation_id__in=scope_for(user).organisation_ids,
        staff__in=staff_visible_to(user).values("pk"),
    )


def assignments_managed_by(user):
    """The assignments a lead lists, opens and withdraws: every one in their
    organisation. PermissionDenied for anyone else, before anything is looked up."""
    if not user.has_perm("training.assign"):
        raise PermissionDenied(ONLY_LEADS)
    return Assignment.objects.filter(organisation_id__in=scope_for(user).lead_org_ids)


def get_managed_assignment_for(request, assignment_id: int) -> Assignment:
    return get_object_or_404(assignments_managed_by(request.user), pk=assignment_id)


# --- Practice attempts ---------------------------------------------------------------


def get_own_attempt_for(request, attempt_id: int) -> Attempt:
    """An attempt the signed-in member of staff is working on: their own; anyone
    else's they may see is refused, and the rest not found."""
    attempt = get_attempt_for(request, attempt_id)
    if attempt.staff_id != request.user.pk:
        raise PermissionDenied("Only the person practising answers their case")
    return attempt


def attempts_of(user, staff_id: int | None = None):
    """The attempts `user` may see, of one member of staff when named."""
    found = attempts_visible_to(user).select_related("staff")
    return found.filter(staff_id=staff_id) if staff_id is not None else found
