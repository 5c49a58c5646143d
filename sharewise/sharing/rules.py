"""Who may do what with consent, capacity, advice and sharing decisions. Which
person's records someone may see at all is Person.objects.visible_to."""

import rules

from sharewise.organisations.access import scope_for
from sharewise.organisations.rules import (
    is_care_worker,
    is_data_protection_officer,
    is_safeguarding_lead,
    is_team_manager,
)

works_with_people = is_care_worker | is_team_manager | is_safeguarding_lead


@rules.predicate
def may_countersign(user, decision):
    """A lead or data protection officer of its organisation who did not make it; only
    a lead where the decision needed the lead's review of rising risk."""
    if decision is None:
        return True
    scope = scope_for(user)
    if decision.decided_by_id == user.pk or decision.organisation_id not in scope.organisation_ids:
        return False
    if decision.countersign_needs_lead:
        return decision.organisation_id in scope.lead_org_ids
    return decision.organisation_id in scope.case_wide_org_ids


rules.add_perm("sharing.record_consent", works_with_people)
rules.add_perm("sharing.assess_capacity", works_with_people)
rules.add_perm("sharing.use_framework", works_with_people)
rules.add_perm("sharing.ask_advice", works_with_people | is_data_protection_officer)
rules.add_perm("sharing.record_decision", is_team_manager | is_safeguarding_lead)
rules.add_perm(
    "sharing.countersign",
    (is_safeguarding_lead | is_data_protection_officer) & may_countersign,
)
rules.add_perm("sharing.answer_advice", is_safeguarding_lead | is_data_protection_officer)
rules.add_perm(
    "sharing.see_decisions", is_team_manager | is_safeguarding_lead | is_data_protection_officer
)
