"""Training assigned from a lesson or an audit finding's action: checking what the lead
chose, assigning it through the training app, and what became of it."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError

from sharewise.governance import measures
from sharewise.governance.suppression import rate_text, suppress
from sharewise.organisations.models import Role, Team
from sharewise.policy import store
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


def _small_number(organisation_id: int) -> int:
    return store.in_force(organisation_id, "governance")[1].small_number


def shown_effect(effect: dict, organisation_id: int) -> dict:
    """Practice scores are about a handful of staff: shown with small numbers held
    back, as the evidence pack does."""
    if effect["unit"] != "points":
        return effect
    t = _small_number(organisation_id)
    return effect | {
        "shown": {
            "before": rate_text(effect["before"], effect["n_before"], "points", t),
            "after": rate_text(effect["after"], effect["n_after"], "points", t),
            "n_before": suppress(effect["n_before"], t),
            "n_after": suppress(effect["n_after"], t),
        }
    }


def training_from(request, source: str, obj) -> dict:
    """What a lesson's or an action's page shows of training assigned from it: each
    assignment with how many it reached and have done it, whether the reader may
    assign more, and for a lesson whose measure can be split by who made the record,
    that measure for staff who did the training against everyone else's, with small
    numbers held back."""
    org = obj.organisation_id
    shown = {
        "assigned": assigned_from(org, source, obj.pk),
        "may_assign": request.user.has_perm("training.assign"),
        "comparison": None,
    }
    if source == "lesson" and shown["assigned"]:
        trained = figures.completed_staff(org, source, obj.pk)
        found = measures.trained_against_untrained(obj, trained)
        if found:
            t = _small_number(org)
            unit = found["unit"]
            found["rows"] = [
                (
                    "Staff who did the training",
                    rate_text(found["trained"], found["n_trained"], unit, t),
                    suppress(found["n_trained"], t),
                ),
                (
                    "Everyone else",
                    rate_text(found["untrained"], found["n_untrained"], unit, t),
                    suppress(found["n_untrained"], t),
                ),
            ]
            shown["comparison"] = found
    return shown
