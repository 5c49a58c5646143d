from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from sharewise.api.inputs import Input
from sharewise.organisations import changes
from sharewise.organisations.access import scope_for
from sharewise.organisations.forms import MembershipForm
from sharewise.organisations.models import (
    Membership,
    Organisation,
    Role,
    RoleRequest,
    Service,
    Team,
    staff_name,
)

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


# Giving and removing roles --------------------------------------------------------------


class RoleIn(Input):
    role: str = Field(
        description="care_worker, team_manager, safeguarding_lead, dpo, auditor or administrator"
    )
    service_id: int | None = Field(
        None, description="A care worker or team manager across one service"
    )
    team_id: int | None = Field(None, description="A care worker or team manager in one team")


class RoleRequestOut(Schema):
    id: int
    user_id: int
    user: str
    role: str
    role_name: str
    scope: str
    organisation_id: int
    service_id: int | None
    team_id: int | None
    requested_by: str
    requested_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    reason: str


class DeclineIn(Input):
    reason: str = Field(description="Why, for the administrator who asked")


def _request_out(r: RoleRequest) -> RoleRequestOut:
    return RoleRequestOut(
        id=r.pk,
        user_id=r.user_id,
        user=staff_name(r.user),
        role=r.role,
        role_name=r.get_role_display(),
        scope=r.scope_label,
        organisation_id=r.organisation_id,
        service_id=r.service_id,
        team_id=r.team_id,
        requested_by=staff_name(r.requested_by),
        requested_at=r.requested_at,
        status=r.status,
        decided_by=staff_name(r.decided_by) if r.decided_by_id else None,
        decided_at=r.decided_at,
        reason=r.reason,
    )


def _administered(request) -> int:
    if not request.user.has_perm("organisations.manage_organisation"):
        raise PermissionDenied("Only administrators give and remove roles.")
    return min(scope_for(request.user).admin_org_ids)


def _member_of(organisation_id: int, user_id: int):
    staff = get_user_model().objects.filter(
        Q(memberships__organisation_id=organisation_id)
        | Q(role_requests__organisation_id=organisation_id)
    )
    return get_object_or_404(staff.distinct(), pk=user_id)


@router.post(
    "/staff/{user_id}/roles",
    response={201: RoleOut, 202: RoleRequestOut},
    summary="Give someone a role (administrators): a role with case access waits for a "
    "safeguarding lead's or the data protection officer's approval (202)",
)
def add_role(request, user_id: int, payload: RoleIn):
    organisation_id = _administered(request)
    member = _member_of(organisation_id, user_id)
    if member.pk == request.user.pk:
        raise PermissionDenied(changes.OWN_ROLES)
    if payload.service_id is not None and payload.team_id is not None:
        raise ValidationError({"team_id": ["Give a team or a service, not both"]})
    scope = (
        f"team:{payload.team_id}"
        if payload.team_id is not None
        else f"service:{payload.service_id}"
        if payload.service_id is not None
        else "org"
    )
    form = MembershipForm(
        {"role": payload.role, "scope": scope},
        organisation=Organisation.objects.get(pk=organisation_id),
    )
    if not form.is_valid():
        named = {"scope": "team_id" if payload.team_id is not None else "service_id"}
        raise ValidationError(
            {named.get(field, field): list(errors) for field, errors in form.errors.items()}
        )
    given = changes.grant_role(request, form.membership_for(member))
    if isinstance(given, RoleRequest):
        return Status(202, _request_out(given))
    return Status(201, _role_out(given))


@router.delete(
    "/staff/{user_id}/roles/{membership_id}",
    response={204: None},
    summary="Remove someone's role (administrators; never one's own)",
)
def remove_role(request, user_id: int, membership_id: int):
    organisation_id = _administered(request)
    membership = get_object_or_404(
        Membership, pk=membership_id, user_id=user_id, organisation_id=organisation_id
    )
    changes.remove_membership(request, membership)
    return Status(204, None)


def _decider(request):
    if not changes.may_decide_roles(request.user):
        raise PermissionDenied(
            "Only a safeguarding lead or the data protection officer approves roles."
        )


@router.get(
    "/role-requests",
    response=list[RoleRequestOut],
    summary="Roles waiting for your approval (safeguarding leads, data protection officers)",
)
def role_requests(request):
    _decider(request)
    return [_request_out(r) for r in changes.pending_for(request.user).select_related("decided_by")]


def _role_request(request, request_id: int) -> RoleRequest:
    _decider(request)
    return get_object_or_404(
        RoleRequest.objects.select_related("user", "requested_by", "organisation"),
        pk=request_id,
        organisation_id__in=scope_for(request.user).case_wide_org_ids,
    )


@router.post(
    "/role-requests/{request_id}/approve",
    response=RoleRequestOut,
    summary="Approve a role: it takes effect now (never one you asked for or would receive)",
)
def approve_role_request(request, request_id: int):
    asked = changes.approve_role_request(request, _role_request(request, request_id))
    return _request_out(RoleRequest.objects.get(pk=asked.pk))


@router.post(
    "/role-requests/{request_id}/decline",
    response=RoleRequestOut,
    summary="Decline a role, saying why",
)
def decline_role_request(request, request_id: int, payload: DeclineIn):
    asked = changes.decline_role_request(
        request, _role_request(request, request_id), payload.reason
    )
    return _request_out(RoleRequest.objects.get(pk=asked.pk))
