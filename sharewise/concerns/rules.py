import rules

from sharewise.organisations.access import scope_for
from sharewise.organisations.rules import is_safeguarding_lead


@rules.predicate
def manages_concern_team(user, concern):
    return concern is not None and concern.team_id in scope_for(user).managed_team_ids


@rules.predicate
def recorded_it(user, concern):
    return concern is not None and concern.recorded_by_id == user.pk


@rules.predicate
def lead_of_its_organisation(user, concern):
    return concern is not None and concern.organisation_id in scope_for(user).case_wide_org_ids


# Seeing a concern at all is decided by Concern.objects.visible_to (get_concern_for).
rules.add_perm(
    "concerns.review_concern",
    manages_concern_team | (is_safeguarding_lead & lead_of_its_organisation),
)
rules.add_perm(
    "concerns.amend_concern",
    recorded_it | manages_concern_team | (is_safeguarding_lead & lead_of_its_organisation),
)

# Imports touch the whole organisation's records.
rules.add_perm("concerns.import_concerns", is_safeguarding_lead)
