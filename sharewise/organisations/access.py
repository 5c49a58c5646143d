"""What a member of staff may see, worked out once per request from their roles, and
the organisation's own records (services, teams, staff, roles waiting for approval)
fetched only within it.

Everything that decides visibility (querysets, rules predicates, API) starts here,
so the browser and the API can never disagree: another organisation's record is not
found (404), and a role that may not do something is refused (403)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404

from sharewise.organisations.models import (
    ApiToken,
    Membership,
    Organisation,
    Role,
    RoleRequest,
    Service,
    SingleSignOnIdentity,
    Team,
)

CASE_WIDE_ROLES = {Role.SAFEGUARDING_LEAD, Role.DATA_PROTECTION_OFFICER}
TEAM_ROLES = {Role.CARE_WORKER, Role.TEAM_MANAGER}


@dataclass(frozen=True)
class Scope:
    roles: frozenset[str]
    organisation_ids: frozenset[int]
    case_wide_org_ids: frozenset[int]
    admin_org_ids: frozenset[int]
    team_ids: frozenset[int]
    managed_team_ids: frozenset[int]
    lead_org_ids: frozenset[int] = frozenset()

    @property
    def organisation_id(self) -> int | None:
        return min(self.organisation_ids) if self.organisation_ids else None

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)


EMPTY = Scope(frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), frozenset())


def scope_for(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY
    cached = getattr(user, "_sharewise_scope", None)
    if cached is not None:
        return cached
    memberships = list(
        Membership.objects.filter(user=user).values_list(
            "role", "organisation_id", "service_id", "team_id"
        )
    )
    scope = scopes_from({user.pk: memberships})[user.pk]
    user._sharewise_scope = scope
    return scope


def scopes_for(user_ids) -> dict[int, Scope]:
    """The scopes of several active members of staff at once (two queries, whoever
    they are): for choosing who may hear of something."""
    rows: dict[int, list] = {pk: [] for pk in user_ids}
    for user_id, *membership in Membership.objects.filter(
        user_id__in=list(rows), user__is_active=True
    ).values_list("user_id", "role", "organisation_id", "service_id", "team_id"):
        rows[user_id].append(membership)
    return scopes_from(rows)


def scopes_from(memberships_by_user: dict[int, list]) -> dict[int, Scope]:
    """Scopes from each user's (role, organisation, service, team) memberships, with
    the teams of service-wide and organisation-wide memberships looked up once."""
    wide = [
        (o, s)
        for ms in memberships_by_user.values()
        for r, o, s, t in ms
        if r in TEAM_ROLES and not t
    ]
    service_ids = {s for _, s in wide if s}
    org_ids = {o for o, s in wide if not s}
    service_teams, org_teams = {}, {}
    if service_ids:
        for tid, sid in Team.objects.filter(service_id__in=service_ids).values_list(
            "id", "service_id"
        ):
            service_teams.setdefault(sid, set()).add(tid)
    if org_ids:
        for tid, oid in Team.objects.filter(service__organisation_id__in=org_ids).values_list(
            "id", "service__organisation_id"
        ):
            org_teams.setdefault(oid, set()).add(tid)
    return {
        user_id: _scope(memberships, service_teams, org_teams)
        for user_id, memberships in memberships_by_user.items()
    }


def _scope(memberships, service_teams, org_teams) -> Scope:
    roles, orgs, case_wide, admin, lead = set(), set(), set(), set(), set()
    team_ids, managed = set(), set()
    for role, org_id, service_id, team_id in memberships:
        roles.add(role)
        orgs.add(org_id)
        if role in CASE_WIDE_ROLES:
            case_wide.add(org_id)
        if role == Role.ADMINISTRATOR:
            admin.add(org_id)
        if role == Role.SAFEGUARDING_LEAD:
            lead.add(org_id)
        if role in TEAM_ROLES:
            teams = (
                {team_id}
                if team_id
                else service_teams.get(service_id, set())
                if service_id
                else org_teams.get(org_id, set())
            )
            team_ids |= teams
            if role == Role.TEAM_MANAGER:
                managed |= teams
    return Scope(
        roles=frozenset(roles),
        organisation_ids=frozenset(orgs),
        case_wide_org_ids=frozenset(case_wide),
        admin_org_ids=frozenset(admin),
        team_ids=frozenset(team_ids),
        managed_team_ids=frozenset(managed),
        lead_org_ids=frozenset(lead),
    )


# The organisation's own records ---------------------------------------------------------

ONLY_ADMINISTRATORS = "Only administrators change the organisation, its services, teams and staff."
ONLY_APPROVERS = "Only a safeguarding lead or the data protection officer approves roles."
APPROVER_ROLES = (Role.SAFEGUARDING_LEAD, Role.DATA_PROTECTION_OFFICER)


def administered_organisation(user) -> Organisation:
    """The organisation this administrator administers; PermissionDenied for anyone
    else."""
    if not user.has_perm("organisations.manage_organisation"):
        raise PermissionDenied(ONLY_ADMINISTRATORS)
    return get_object_or_404(Organisation, pk=min(scope_for(user).admin_org_ids))


def staff_of(organisation_ids):
    """Staff of these organisations with their roles there and the roles waiting for
    approval. Someone whose first role still waits is staff already."""
    ids = list(organisation_ids)
    return (
        get_user_model()
        .objects.filter(
            Q(memberships__organisation_id__in=ids) | Q(role_requests__organisation_id__in=ids)
        )
        .distinct()
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(organisation_id__in=ids).select_related(
                    "team__service", "service", "organisation"
                ),
            ),
            Prefetch(
                "role_requests",
                queryset=RoleRequest.objects.filter(
                    organisation_id__in=ids, status=RoleRequest.Status.PENDING
                ).select_related("team__service", "service", "organisation"),
                to_attr="waiting",
            ),
        )
        .order_by("last_name", "first_name")
    )


def staff_visible_to(user):
    """Staff a lead or an administrator may list: those of their own organisations."""
    if not user.has_perm("organisations.view_staff"):
        raise PermissionDenied("Only safeguarding leads and administrators can list staff.")
    return staff_of(scope_for(user).organisation_ids)


def get_staff_member_for(user, user_id: int):
    """A member of staff of the organisation this administrator administers."""
    organisation = administered_organisation(user)
    return get_object_or_404(staff_of([organisation.pk]), pk=user_id)


def get_staff_member_seen_by(user, user_id: int):
    """A member of staff, for a lead or an administrator of their organisation."""
    return get_object_or_404(staff_visible_to(user), pk=user_id)


def services_visible_to(user):
    return Service.objects.filter(organisation_id__in=scope_for(user).organisation_ids)


def teams_visible_to(user):
    return Team.objects.select_related("service").filter(
        service__organisation_id__in=scope_for(user).organisation_ids
    )


def get_service_for(user, service_id: int) -> Service:
    """A service of the organisation this administrator administers."""
    organisation = administered_organisation(user)
    return get_object_or_404(Service, pk=service_id, organisation=organisation)


def get_team_for(user, team_id: int) -> Team:
    """A team of the organisation this administrator administers."""
    organisation = administered_organisation(user)
    return get_object_or_404(
        Team.objects.select_related("service"), pk=team_id, service__organisation=organisation
    )


def get_membership_for(user, user_id: int, membership_id: int) -> Membership:
    """One of a member of staff's roles in the organisation this administrator
    administers."""
    organisation = administered_organisation(user)
    return get_object_or_404(
        Membership, pk=membership_id, user_id=user_id, organisation=organisation
    )


def may_approve(user) -> bool:
    """Whether this user approves roles and sign-in links somewhere."""
    return scope_for(user).has(*APPROVER_ROLES)


def _check_approver(user):
    if not may_approve(user):
        raise PermissionDenied(ONLY_APPROVERS)


def role_requests_waiting_for(user):
    """Requests waiting in the organisations where this user approves roles."""
    _check_approver(user)
    return RoleRequest.objects.filter(
        status=RoleRequest.Status.PENDING, organisation_id__in=scope_for(user).case_wide_org_ids
    ).select_related("user", "requested_by", "service", "team__service", "organisation")


def get_role_request_for(user, request_id: int) -> RoleRequest:
    """A role request of an organisation where this user approves roles, decided or not."""
    _check_approver(user)
    return get_object_or_404(
        RoleRequest.objects.select_related(
            "user", "requested_by", "service", "team__service", "organisation"
        ),
        pk=request_id,
        organisation_id__in=scope_for(user).case_wide_org_ids,
    )


def identity_links_waiting_for(user):
    """Single sign-on links waiting in the organisations where this user approves."""
    _check_approver(user)
    owners = Membership.objects.filter(
        organisation_id__in=scope_for(user).case_wide_org_ids
    ).values("user_id")
    return SingleSignOnIdentity.objects.filter(
        approved_at__isnull=True, user_id__in=owners
    ).select_related("user", "linked_by")


def get_identity_link_for(user, link_id: int) -> SingleSignOnIdentity:
    return get_object_or_404(identity_links_waiting_for(user), pk=link_id)


def own_api_tokens(user):
    """Each person's own API tokens: someone else's is not found."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")
