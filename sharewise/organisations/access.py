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
    scope = scopes_from({user.pk: memberships})[user.pk]
    user._sharewise_scope = scope
    return scope


def forget_scope(user) -> None:
    """Call after changing someone's memberships within the same request."""
    if hasattr(user, "_sharewise_scope"):
        del user._sharewise_scope


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
