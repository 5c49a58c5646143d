"""Who may see a concern, and an alert made of concerns: the one rule, in plain Python.

A reader's rule says which organisations and teams open concerns to them, and whom a
concern must never reach (the member of staff it names as the alleged source of harm).
The querysets (Concern.objects.visible_to, Alert.objects.visible_to) read the same rule
as SQL; whoever chooses who hears of an alert asks `allows` directly. Nothing else
decides who may see a concern."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConcernReach:
    """What decides who may see one concern."""

    organisation_id: int
    # Teams the people it is about are enrolled with, now or recently.
    teams: frozenset[int]
    source_staff_id: int | None = None


@dataclass(frozen=True)
class ConcernRule:
    """Whose concerns one reader may see: every concern in case_wide organisations,
    concerns about people enrolled with their teams; never one naming them."""

    user_id: int | None
    case_wide_org_ids: frozenset[int]
    team_ids: frozenset[int]

    def allows(self, concern: ConcernReach) -> bool:
        if self.user_id is not None and concern.source_staff_id == self.user_id:
            return False
        return concern.organisation_id in self.case_wide_org_ids or bool(
            self.team_ids & concern.teams
        )


@dataclass(frozen=True)
class AlertReach:
    """What decides who may see one alert: its organisation, the member of staff it
    is about (if any) and, for each of its concerns, (team recorded at, member of
    staff named as the alleged source or None)."""

    organisation_id: int
    source_staff_id: int | None
    concerns: frozenset[tuple[int, int | None]]


@dataclass(frozen=True)
class AlertRule:
    """Whose alerts one reader may see: a lead's organisation, a manager's alerts with
    a concern at a team they manage; never an alert about them or holding a concern
    naming them."""

    user_id: int | None
    lead_org_ids: frozenset[int]
    managed_team_ids: frozenset[int]

    def allows(self, alert: AlertReach) -> bool:
        if self.user_id is not None and (
            alert.source_staff_id == self.user_id
            or any(source == self.user_id for _, source in alert.concerns)
        ):
            return False
        return alert.organisation_id in self.lead_org_ids or any(
            team in self.managed_team_ids for team, _ in alert.concerns
        )


def concern_rule(user_id, scope) -> ConcernRule:
    """scope: organisations.access.Scope (anything with its fields)."""
    return ConcernRule(user_id, frozenset(scope.case_wide_org_ids), frozenset(scope.team_ids))


def alert_rule(user_id, scope) -> AlertRule:
    return AlertRule(user_id, frozenset(scope.lead_org_ids), frozenset(scope.managed_team_ids))
