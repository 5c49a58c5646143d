"""Roles: given and removed by administrators; a role with case access, and a single
sign-on link, waits for a safeguarding lead or the data protection officer to approve
or decline it, as on the role requests page."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema, Status

from sharewise.api.inputs import Input
from sharewise.api.organisations.common import RoleOut, checked, role_out, scope_choice
from sharewise.organisations import access, roles
from sharewise.organisations.forms import MembershipForm
from sharewise.organisations.models import RoleRequest, SingleSignOnIdentity, staff_name

router = Router(tags=["Organisation"])


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


@router.post(
    "/staff/{user_id}/roles",
    response={201: RoleOut, 202: RoleRequestOut},
    summary="Give someone a role (administrators): a role with case access waits for a "
    "safeguarding lead's or the data protection officer's approval (202)",
)
def add_role(request, user_id: int, payload: RoleIn):
    member = access.get_staff_member_for(request.user, user_id)
    if member.pk == request.user.pk:
        raise PermissionDenied(roles.OWN_ROLES)
    form = MembershipForm(
        {"role": payload.role, "scope": scope_choice(payload.service_id, payload.team_id)},
        organisation=access.administered_organisation(request.user),
    )
    checked(form, scope="team_id" if payload.team_id is not None else "service_id")
    given = roles.grant_role(request, form.membership_for(member))
    if isinstance(given, RoleRequest):
        return Status(202, _request_out(given))
    return Status(201, role_out(given))


@router.delete(
    "/staff/{user_id}/roles/{membership_id}",
    response={204: None},
    summary="Remove someone's role (administrators; never one's own)",
)
def remove_role(request, user_id: int, membership_id: int):
    roles.remove_membership(
        request, access.get_membership_for(request.user, user_id, membership_id)
    )
    return Status(204, None)


@router.get(
    "/role-requests",
    response=list[RoleRequestOut],
    summary="Roles waiting for your approval (safeguarding leads, data protection officers)",
)
def role_requests(request):
    waiting = access.role_requests_waiting_for(request.user).select_related("decided_by")
    return [_request_out(r) for r in waiting]


@router.post(
    "/role-requests/{request_id}/approve",
    response=RoleRequestOut,
    summary="Approve a role: it takes effect now (never one you asked for or would receive)",
)
def approve_role_request(request, request_id: int):
    asked = roles.approve_role_request(
        request, access.get_role_request_for(request.user, request_id)
    )
    return _request_out(RoleRequest.objects.get(pk=asked.pk))


@router.post(
    "/role-requests/{request_id}/decline",
    response=RoleRequestOut,
    summary="Decline a role, saying why",
)
def decline_role_request(request, request_id: int, payload: DeclineIn):
    asked = roles.decline_role_request(
        request, access.get_role_request_for(request.user, request_id), payload.reason
    )
    return _request_out(RoleRequest.objects.get(pk=asked.pk))


class IdentityLinkOut(Schema):
    id: int
    user_id: int
    user: str
    issuer: str
    subject: str
    linked_by: str | None
    linked_at: datetime | None


def _link_out(link: SingleSignOnIdentity) -> IdentityLinkOut:
    return IdentityLinkOut(
        id=link.pk,
        user_id=link.user_id,
        user=staff_name(link.user),
        issuer=link.issuer,
        subject=link.subject,
        linked_by=staff_name(link.linked_by) if link.linked_by_id else None,
        linked_at=link.linked_at,
    )


@router.get(
    "/identity-links",
    response=list[IdentityLinkOut],
    summary="Single sign-on links waiting for your approval (safeguarding leads, data "
    "protection officers)",
)
def identity_links(request):
    return [_link_out(link) for link in access.identity_links_waiting_for(request.user)]


@router.post(
    "/identity-links/{link_id}/approve",
    response=IdentityLinkOut,
    summary="Approve a single sign-on link: it signs its owner in from now on (never "
    "one you made or your own)",
)
def approve_identity_link(request, link_id: int):
    link = roles.approve_identity_link(request, access.get_identity_link_for(request.user, link_id))
    return _link_out(link)


@router.post(
    "/identity-links/{link_id}/decline",
    response={204: None},
    summary="Decline a single sign-on link, saying why: it is removed",
)
def decline_identity_link(request, link_id: int, payload: DeclineIn):
    link = access.get_identity_link_for(request.user, link_id)
    roles.decline_identity_link(request, link, payload.reason)
    return Status(204, None)
