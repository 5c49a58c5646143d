"""Shapes and checks the organisation's API modules share."""

from django.core.exceptions import ValidationError
from ninja import Schema

from sharewise.organisations.models import Role


class RoleOut(Schema):
    role: str
    role_name: str
    scope: str
    organisation_id: int
    service_id: int | None
    team_id: int | None


def role_out(m) -> RoleOut:
    """A role held (a membership) or waiting for approval (a role request)."""
    return RoleOut(
        role=m.role,
        role_name=Role(m.role).label,
        scope=m.scope_label,
        organisation_id=m.organisation_id,
        service_id=m.service_id,
        team_id=m.team_id,
    )


def checked(form, **renames):
    """The page's form, checked: its cleaned data, or a 422 naming each field to fix
    by the name the API uses (renames: from the form's names)."""
    if not form.is_valid():
        raise ValidationError(
            {renames.get(field, field): errors for field, errors in form.errors.as_data().items()}
        )
    return form.cleaned_data


def scope_choice(service_id: int | None, team_id: int | None) -> str:
    """The page's "Where" choice for a role, from the API's service_id and team_id."""
    if service_id is not None and team_id is not None:
        raise ValidationError({"team_id": ["Give a team or a service, not both"]})
    if team_id is not None:
        return f"team:{team_id}"
    if service_id is not None:
        return f"service:{service_id}"
    return "org"
