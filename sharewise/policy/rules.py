import rules

from sharewise.organisations.rules import is_safeguarding_lead

rules.add_perm("policy.change_policy", is_safeguarding_lead)
