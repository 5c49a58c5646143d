"""Training assigned from a lesson or an audit finding's action: checking what the lead
chose, assigning it through the training app, and what became of it."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError

from sharewise.organisations.models import Role, Team
from sharewise.training import applies, assignments, casebook, figures

ASSIGNS = "Only safeguarding leads assign training."
ROLES = {Role.CARE_WORKER: "Care workers", Role.TEAM_MANAGER: "Team managers"}


def check_may_assign(user) -> None:
    if not user.has_perm("training.assign"):
        raise PermissionDenied(ASSIGNS)


def case_choices() -> dict[str, str]:
    return casebook.titles()


def policy_choices() -> dict[str, str]:
    return dict(applies.TITLES)


def team_choices(organisation_id: int):
    return Team.objects.filter(service__organisation_id=organisation_id, is_active=True).order_by(
        "service__name", "name"
    )


def assign_from(request, organisation_id: int, source: str, source_id: int, data: dict, via="page"):
    """Assign a practice case or a policy to read, from a lesson or an action, held to
    the same checks as any assignment (training's `make`). data: what, case_code,
    policy_kind, roles, team_ids, staff_ids, due, note. Raises ValidationError({field:
    message}) and assigns nothing when something is wrong."""
    check_may_assign(request.user)
    found = {}
    ids = {}
    for field in ("team_ids", "staff_ids"):
        given = [str(i) for i in data.get(field) or ()]
        if any(not i.isdigit() for i in given):
            found[field] = _MESSAGES[field]
        ids[field] = sorted({int(i) for i in given if i.isdigit()})
    due = data.get("due")
    if not isinstance(due, date):
        found["due"] = "Give the date it is due, for example 27 3 2027"
    if found:
        raise ValidationError(found)
    try:
        return assignments.make(
            request,
            what=data.get("what") or "",
            due=due,
            case_code=(data.get("case_code") or "").strip(),
            policy_kind=(data.get("policy_kind") or "").strip(),
            roles=[str(r) for r in data.get("roles") or ()],
            team_ids=ids["team_ids"],
            staff_ids=ids["staff_ids"],
            note=data.get("note") or "",
            source=source,
            source_id=source_id,
            via=via,
        )
    except ValidationError as error:
        # training names its fields teams and staff; these forms, team_ids and staff_ids
        raise ValidationError(
            {_FIELDS.get(k, k): v for k, v in error.message_dict.items()}
        ) from None


_FIELDS = {"teams": "team_ids", "staff": "staff_ids", "__all__": "roles"}
_MESSAGES = {
    "team_ids": "Choose teams of your own organisation",
    "staff_ids": "Choose staff of your own organisation",
}


def assigned_from(organisation_id: int, source: str, source_id: int) -> list[dict]:
    return figures.assignments_from(organisation_id, source, source_id)
