"""Who may act on alerts. Seeing an alert at all is Alert.objects.visible_to."""

import rules

from sharewise.organisations.access import scope_for
from sharewise.organisations.rules import is_safeguarding_lead, is_team_manager


@rules.predicate
def leads_its_organisation(user, alert):
    return alert is not None and alert.organisation_id in scope_for(user).lead_org_ids


rules.add_perm("patterns.see_oversight", is_safeguarding_lead | is_team_manager)
rules.add_perm("patterns.acknowledge_alert", is_safeguarding_lead | is_team_manager)
rules.add_perm("patterns.decide_alert", is_safeguarding_lead & leads_its_organisation)
rules.add_perm("patterns.backtest_policy", is_safeguarding_lead)
