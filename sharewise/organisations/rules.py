"""Role predicates shared by every app's rules.py."""

import rules

from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Role


def _role(*roles):
    @rules.predicate(name="has_role_" + "_or_".join(roles))
    def check(user):
        return scope_for(user).has(*roles)

    return check


is_care_worker = _role(Role.CARE_WORKER)
is_team_manager = _role(Role.TEAM_MANAGER)
is_safeguarding_lead = _role(Role.SAFEGUARDING_LEAD)
is_data_protection_officer = _role(Role.DATA_PROTECTION_OFFICER)
is_auditor = _role(Role.AUDITOR)
is_administrator = _role(Role.ADMINISTRATOR)

rules.add_perm("organisations.manage_organisation", is_administrator)
rules.add_perm("organisations.view_staff", is_administrator | is_safeguarding_lead)
rules.add_perm("organisations.view_structure", rules.is_authenticated)
