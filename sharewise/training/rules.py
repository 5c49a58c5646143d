"""Who may practise, assign training and see whose results. Practice cases are
synthetic, so anyone with a role may practise; results are about staff, so a member of
staff sees their own, a team manager their teams', a lead everyone's."""

import rules

from sharewise.organisations.rules import (
    is_auditor,
    is_care_worker,
    is_data_protection_officer,
    is_safeguarding_lead,
    is_team_manager,
)

has_case_role = (
    is_care_worker
    | is_team_manager
    | is_safeguarding_lead
    | is_data_protection_officer
    | is_auditor
)

rules.add_perm("training.practise", has_case_role)
rules.add_perm("training.assign", is_safeguarding_lead)
rules.add_perm("training.see_coverage", is_safeguarding_lead | is_team_manager)
