"""Training assigned from a lesson or an audit finding's action: checking what the lead
chose, assigning it through the training app, and what became of it."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sharewise.organisations.models import Membership, Role, Team
from sharewise.training import assignments, casebook, figures

ASSIGNS = "Only safeguarding leads assign training."
ROLES = {Role.CARE_WORKER: "Care workers", Role.TEAM_MANAGER: "Team managers"}


def check_may_assign(user) -> None:
    if not user.has_perm("training.assign"):
        raise PermissionDenied(ASSIGNS)


def case_choices() -> dict[str, str]:
    return casebook.titles()


def policy_choices() -> dict[str, str]:
    return dict(figures.CONFIRM_KINDS)


def team_choices(organisation_id: int):
    return Team.objects.filter(service__organisation_id=organisation_id, is_active=True).order_by(
        "service__name", "name"
    )


def assign_from(request, organisation_id: int, source: str, source_id: int, data: dict, via="page"):
    """Assign a practice case or a policy to read, from a lesson or an action. data:
    what, case_code, policy_kind, roles, team_ids, staff_ids, due, note. Raises
    ValidationError({field: message}) and assigns nothing when something is wrong."""
    found = {}
    what = data.get("what")
    case_code = (data.get("case_code") or "").strip()
    policy_kind = (data.get("policy_kind") or "").strip()
    if what == "case":
        if case_code not in case_choices():
            found["case_code"] = "Choose the practice case to assign"
    elif what == "policy":
        if policy_kind not in policy_choices():
            found["policy_kind"] = "Choose the policy staff must read"
    else:
        found["what"] = "Choose a practice case or a policy to read"
    roles = [str(r) for r in data.get("roles") or ()]
    if any(r not in ROLES for r in roles):
        found["roles"] = "Choose care workers, team managers or both"
    team_ids = {int(t) for t in data.get("team_ids") or () if str(t).isdigit()}
    if len(team_ids) != len(set(data.get("team_ids") or ())) or (
        team_ids and team_choices(organisation_id).filter(pk__in=team_ids).count() != len(team_ids)
    ):
        found["team_ids"] = "Choose teams of your own organisation"
    staff_ids = {int(s) for s in data.get("staff_ids") or () if str(s).isdigit()}
    known = set(
        Membership.objects.filter(organisation_id=organisation_id, user_id__in=staff_ids)
        .exclude(role=Role.ADMINISTRATOR)
        .values_list("user_id", flat=True)
    )
    if known != staff_ids or len(staff_ids) != len(set(data.get("staff_ids") or ())):
        found["staff_ids"] = "Choose staff of your own organisation"
    if not (roles or team_ids or staff_ids) and not found.keys() & {"roles", "team_ids"}:
        found["roles"] = "Choose who it is for: roles, teams or named staff"
    due = data.get("due")
    today = timezone.localdate()
    if not isinstance(due, date):
        found["due"] = "Give the date it is due, for example 27 3 2027"
    elif due <= today:
        found["due"] = "The due date must be after today"
    elif due > today + timedelta(days=365):
        found["due"] = "The due date must be within a year"
    if found:
        raise ValidationError(found)
    return assignments.assign(
        request,
        organisation_id=organisation_id,
        what=what,
        due=due,
        case_code=case_code,
        policy_kind=policy_kind,
        roles=roles,
        team_ids=sorted(team_ids),
        staff_ids=sorted(staff_ids),
        note=data.get("note") or "",
        source=source,
        source_id=source_id,
        via=via,
    )


def assigned_from(organisation_id: int, source: str, source_id: int) -> list[dict]:
    return figures.assignments_from(organisation_id, source, source_id)
