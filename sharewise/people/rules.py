import rules

from sharewise.organisations.rules import (
    is_data_protection_officer,
    is_safeguarding_lead,
    is_team_manager,
)

# Seeing a particular person is decided by Person.objects.visible_to, which the
# predicate below reuses so the two can never disagree.


@rules.predicate
def can_see_person(user, person):
    from sharewise.people.models import Person

    if person is None:
        return False
    return Person.objects.visible_to(user).filter(pk=person.pk).exists()


@rules.predicate
def manages_team(user, team):
    from sharewise.organisations.access import scope_for

    return team is None or team.pk in scope_for(user).managed_team_ids


rules.add_perm("people.view_person", can_see_person)
rules.add_perm("people.add_person", is_team_manager | is_safeguarding_lead)
rules.add_perm("people.add_enrolment", is_safeguarding_lead | (is_team_manager & manages_team))
rules.add_perm("people.merge_person", is_safeguarding_lead)
rules.add_perm("people.review_break_glass", is_safeguarding_lead | is_data_protection_officer)
