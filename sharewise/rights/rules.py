"""Who works on subject access and rectification requests. The data protection officer
runs them; the safeguarding lead may log and prepare them. Whose records someone may
see at all is Person.objects.visible_to."""

import rules

from sharewise.organisations.rules import is_data_protection_officer, is_safeguarding_lead

rules.add_perm("rights.see_requests", is_data_protection_officer | is_safeguarding_lead)
rules.add_perm("rights.prepare", is_data_protection_officer | is_safeguarding_lead)
rules.add_perm("rights.approve", is_data_protection_officer)
rules.add_perm("rights.send", is_data_protection_officer)
rules.add_perm("rights.extend", is_data_protection_officer)
rules.add_perm("rights.close", is_data_protection_officer)
