"""Who may build, send and review referrals. Whose records someone may see at all is
Person.objects.visible_to."""

import rules

from sharewise.organisations.rules import (
    is_data_protection_officer,
    is_safeguarding_lead,
    is_team_manager,
)

rules.add_perm("disclosures.build_referral", is_team_manager | is_safeguarding_lead)
rules.add_perm("disclosures.approve_referral", is_data_protection_officer)
rules.add_perm("disclosures.see_log", is_data_protection_officer | is_safeguarding_lead)
rules.add_perm(
    "disclosures.see_disclosures",
    is_team_manager | is_safeguarding_lead | is_data_protection_officer,
)
rules.add_perm("disclosures.keep_partners", is_safeguarding_lead)
rules.add_perm(
    "disclosures.see_partners",
    is_team_manager | is_safeguarding_lead | is_data_protection_officer,
)
rules.add_perm("disclosures.keep_agreements", is_safeguarding_lead)
rules.add_perm(
    "disclosures.see_agreements",
    is_team_manager | is_safeguarding_lead | is_data_protection_officer,
)
# Those who send (team managers, leads) record what came back, and what they told.
rules.add_perm("disclosures.record_response", is_team_manager | is_safeguarding_lead)
rules.add_perm("disclosures.record_told", is_team_manager | is_safeguarding_lead)
