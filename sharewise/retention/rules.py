"""Who may see the retention review, hold records and destroy them. Only the data
protection officer approves a destruction; whose records anyone may see at all is
Person.objects.visible_to."""

import rules

from sharewise.organisations.rules import is_data_protection_officer, is_safeguarding_lead

rules.add_perm("retention.see_review", is_safeguarding_lead | is_data_protection_officer)
rules.add_perm("retention.hold", is_safeguarding_lead | is_data_protection_officer)
rules.add_perm("retention.propose", is_safeguarding_lead | is_data_protection_officer)
rules.add_perm("retention.approve", is_data_protection_officer)
