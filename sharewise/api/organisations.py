from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from ninja import Router, Schema

from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Membership, Role, Service, Team

router = Router(tags=["Organisation"])


class RoleOut(Schema):
    role: str
    role_name: str
    scope: str
    organisation_id: int
    service_id: int | None
    team_id: int | None


class MeOut(Schema):
    id: int
    username: str
    name: str
    roles: list[RoleOut]
    sees_whole_organisation: bool
    team_ids: list[int]


def _role_out(m: Membership) -> RoleOut:
    return RoleOut(
        role=m.role,
        role_name=Role(m.role).label,
        scope=m.scope_label,
        organisation_id=m.organisation_id,
        service_id=m.service_id,
        team_id=m.team_id,
    )


@router.get("/me", response=MeOut, summary="Who you are, your roles and what you can see")
def me(request):
    user = request.user
    scope = scope_for(user)
    memberships = user.memberships.select_related("team__service", "service", "organisation")
    return MeOut(
        id=user.pk,
        username=user.username,
        name=user.get_full_name(),
        roles=[_role_out(m) for m in memberships],
        sees_whole_organisation=bool(scope.case_wide_org_ids),
        team_ids=sorted(scope.team_ids),
    )


class ServiceOut(Schema):
    id: int
    name: str
    kind: str
    kind_name: str
    is_active: bool


@router.get("/services", response=list[ServiceOut])
def services(request):
    found = Service.objects.filter(organisation_id__in=scope_for(request.user).organisation_ids)
    return [
        ServiceOut(
            id=s.pk, name=s.name, kind=s.kind, kind_name=s.get_kind_display(), is_active=s.is_active
        )
        for s in found
    ]


class TeamOut(Schema):
    id: int
    name: str
    service_id: int
    service_name: str
    is_active: bool


@router.get("/teams", response=list[TeamOut])
def teams(request, service: int | None = None):
    found = Team.objects.select_related("service").filter(
        service__organisation_id__in=scope_for(request.user).organisation_ids
    )
    if service is not None:
        found = found.filter(service_id=service)
    return [
        TeamOut(
            id=t.pk,
            name=t.name,
            service_id=t.service_id,
            service_name=t.service.name,
            is_active=t.is_active,
        )
        for t in found
    ]


class StaffOut(Schema):
    id: int
    username: str
    name: str
    is_active: bool
    roles: list[RoleOut]


@router.get(
    "/staff",
    response=list[StaffOut],
    summary="Staff with their roles and teams (leads and administrators)",
)
def staff(request):
    if not request.user.has_perm("organisations.view_staff"):
        raise PermissionDenied("Only safeguarding leads and administrators can list staff.")
    orgs = scope_for(request.user).organisation_ids
    users = (
        get_user_model()
        .objects.filter(memberships__organisation_id__in=orgs)
        .distinct()
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(organisation_id__in=orgs).select_related(
                    "team__service", "service", "organisation"
                ),
            )
        )
        .order_by("last_name", "first_name")
    )
    return [
        StaffOut(
            id=u.pk,
            username=u.username,
            name=u.get_full_name(),
            is_active=u.is_active,
            roles=[_role_out(m) for m in u.memberships.all()],
        )
        for u in users
    ]
