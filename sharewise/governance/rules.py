"""Who may run audits, hold oversight meetings, supervise, keep the learning log and
build evidence packs. Whose records someone may see at all is Person.objects.visible_to."""

import rules

from sharewise.organisations.rules import (
    is_auditor,
    is_data_protection_officer,
    is_safeguarding_lead,
    is_team_manager,
)

rules.add_perm("governance.run_audit", is_auditor | is_safeguarding_lead)
rules.add_perm(
    "governance.see_findings", is_auditor | is_safeguarding_lead | is_data_protection_officer
)
# Sampled case files are people's records: only those who may audit them.
rules.add_perm("governance.case_file_audit", is_auditor | is_safeguarding_lead)
rules.add_perm("governance.hold_meetings", is_safeguarding_lead)
rules.add_perm("governance.see_meetings", is_safeguarding_lead | is_team_manager)
rules.add_perm("governance.supervise", is_team_manager | is_safeguarding_lead)
rules.add_perm(
    "governance.keep_learning_log", is_safeguarding_lead | is_auditor | is_data_protection_officer
)
rules.add_perm(
    "governance.build_evidence_pack",
    is_safeguarding_lead | is_auditor | is_data_protection_officer,
)
