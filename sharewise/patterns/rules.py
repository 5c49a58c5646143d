"""Who may act on alerts. Seeing an alert at all is Alert.objects.visible_to."""

import rules

from sharewise.organisations.access import scope_for
from sharewise.organisations.rules import is_safeguarding_lead, is_team_manager


@rules.predicate
def leads_its_organisation(user, alert_or_case):
    """The user is the safeguarding lead of the alert's (or case's) organisation."""
    return (
        alert_or_case is not None and alert_or_case.organisation_id in scope_for(user).lead_org_ids
    )


rules.add_perm("patterns.see_oversight", is_safeguarding_lead | is_team_manager)
rules.add_perm("patterns.acknowledge_alert", is_safeguarding_lead | is_team_manager)
rules.add_perm("patterns.decide_alert", is_safeguarding_lead & leads_its_organisation)
rules.add_perm("patterns.backtest_policy", is_safeguarding_lead)
