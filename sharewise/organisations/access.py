"""What a member of staff may see, worked out once per request from their roles.

Everything that decides visibility (querysets, rules predicates, API) starts here,
so the browser and the API can never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from sharewise.organisations.models import Membership, Role, Team

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
    roles, orgs, case_wide, admin, lead = set(), set(), set(), set(), set()
    team_ids, managed = set(), set()
    service_ids, org_team_ids = {}, {}
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
            target = managed if role == Role.TEAM_MANAGER else set()
            if team_id:
                team_ids.add(team_id)
                target.add(team_id)
            elif service_id:
                service_ids.setdefault(service_id, []).append(target)
            else:
                org_team_ids.setdefault(org_id, []).append(target)
    if service_ids:
        for tid, sid in Team.objects.filter(service_id__in=service_ids).values_list(
            "id", "service_id"
        ):
            team_ids.add(tid)
            for target in service_ids[sid]:
                target.add(tid)
    if org_team_ids:
        for tid, oid in Team.objects.filter(service__organisation_id__in=org_team_ids).values_list(
            "id", "service__organisation_id"
        ):
            team_ids.add(tid)
            for target in org_team_ids[oid]:
                target.add(tid)
    scope = Scope(
        roles=frozenset(roles),
        organisation_ids=frozenset(orgs),
        case_wide_org_ids=frozenset(case_wide),
        admin_org_ids=frozenset(admin),
        team_ids=frozenset(team_ids),
        managed_team_ids=frozenset(managed),
        lead_org_ids=frozenset(lead),
    )
    user._sharewise_scope = scope
    return scope


def forget_scope(user) -> None:
    """Call after changing someone's memberships within the same request."""
    if hasattr(user, "_sharewise_scope"):
        del user._sharewise_scope
