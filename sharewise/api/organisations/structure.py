"""Who you are, and the organisation's services and teams: listed for everyone in it,
added and changed by its administrators, as on the organisation page."""

from ninja import Field, Router, Schema, Status

from sharewise.api.inputs import Input
from sharewise.api.organisations.common import RoleOut, checked, role_out
from sharewise.organisations import access, structure
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Service, Team

router = Router(tags=["Organisation"])


class MeOut(Schema):
    id: int
    username: str
    name: str
    roles: list[RoleOut]
    sees_whole_organisation: bool
    team_ids: list[int]


@router.get("/me", response=MeOut, summary="Who you are, your roles and what you can see")
def me(request):
    user = request.user
    scope = scope_for(user)
    memberships = user.memberships.select_related("team__service", "service", "organisation")
    return MeOut(
        id=user.pk,
        username=user.username,
        name=user.get_full_name(),
        roles=[role_out(m) for m in memberships],
        sees_whole_organisation=bool(scope.case_wide_org_ids),
        team_ids=sorted(scope.team_ids),
    )


class ServiceOut(Schema):
    id: int
    name: str
    kind: str
    kind_name: str
    is_active: bool


def _service_out(s: Service) -> ServiceOut:
    return ServiceOut(
        id=s.pk, name=s.name, kind=s.kind, kind_name=s.get_kind_display(), is_active=s.is_active
    )


@router.get("/services", response=list[ServiceOut], summary="Your organisation's services")
def services(request):
    return [_service_out(s) for s in access.services_visible_to(request.user)]


class ServiceIn(Input):
    name: str = Field(description="Unique within the organisation")
    kind: str = Field(description="care_home, nursing_home, home_care, supported_living, ...")
    is_active: bool = Field(True, description="False when the service closes")


class ServiceChangeIn(Input):
    name: str | None = None
    kind: str | None = None
    is_active: bool | None = None


@router.post(
    "/services",
    response={201: ServiceOut},
    summary="Add a service (administrators), checked as the Add a service page checks it",
)
def add_service(request, payload: ServiceIn):
    form = structure.service_form(request.user, payload.model_dump())
    checked(form)
    return Status(201, _service_out(structure.save_service(request, form)))


@router.patch(
    "/services/{service_id}",
    response=ServiceOut,
    summary="Change a service (administrators): only what you send changes",
)
def edit_service(request, service_id: int, payload: ServiceChangeIn):
    service = access.get_service_for(request.user, service_id)
    data = {"name": service.name, "kind": service.kind, "is_active": service.is_active}
    data.update(payload.model_dump(exclude_unset=True))
    form = structure.service_form(request.user, data, service)
    checked(form)
    return _service_out(structure.save_service(request, form))


class TeamOut(Schema):
    id: int
    name: str
    service_id: int
    service_name: str
    is_active: bool


def _team_out(t: Team) -> TeamOut:
    return TeamOut(
        id=t.pk,
        name=t.name,
        service_id=t.service_id,
        service_name=t.service.name,
        is_active=t.is_active,
    )


@router.get("/teams", response=list[TeamOut], summary="Your organisation's teams")
def teams(request, service: int | None = None):
    found = access.teams_visible_to(request.user)
    if service is not None:
        found = found.filter(service_id=service)
    return [_team_out(t) for t in found]


class TeamIn(Input):
    service_id: int
    name: str = Field(description="Unique within the service")
    is_active: bool = Field(True, description="False when the team stops")


class TeamChangeIn(Input):
    service_id: int | None = None
    name: str | None = None
    is_active: bool | None = None


def _team_form(request, data, team=None):
    values = {"service": data.pop("service_id", None), **data}
    return structure.team_form(request.user, values, team)


@router.post(
    "/teams",
    response={201: TeamOut},
    summary="Add a team to a service (administrators), checked as the Add a team page checks it",
)
def add_team(request, payload: TeamIn):
    form = _team_form(request, payload.model_dump())
    checked(form, service="service_id")
    return Status(201, _team_out(structure.save_team(request, form)))


@router.patch(
    "/teams/{team_id}",
    response=TeamOut,
    summary="Change a team (administrators): only what you send changes",
)
def edit_team(request, team_id: int, payload: TeamChangeIn):
    team = access.get_team_for(request.user, team_id)
    data = {"service_id": team.service_id, "name": team.name, "is_active": team.is_active}
    data.update(payload.model_dump(exclude_unset=True))
    form = _team_form(request, data, team)
    checked(form, service="service_id")
    return _team_out(structure.save_team(request, form))
