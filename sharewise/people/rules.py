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


@rules.predicate
def manages_person(user, person):
    """A team manager of a team the person is enrolled with now or recently."""
    from sharewise.organisations.access import scope_for
    from sharewise.people.models import Enrolment

    managed = scope_for(user).managed_team_ids
    return bool(
        person is not None
        and managed
        and Enrolment.objects.current_or_recent()
        .filter(person_id__in=person.record_ids(), team_id__in=managed)
        .exists()
    )


rules.add_perm("people.view_person", can_see_person)
rules.add_perm("people.add_person", is_team_manager | is_safeguarding_lead)
rules.add_perm("people.add_enrolment", is_safeguarding_lead | (is_team_manager & manages_team))
rules.add_perm("people.merge_person", is_safeguarding_lead)
# The care record is written by its integration, on behalf of those accountable for
# the person's care: a lead, or a manager of their team.
rules.add_perm(
    "people.add_care_note",
    can_see_person & (is_safeguarding_lead | (is_team_manager & manages_person)),
)
rules.add_perm("people.review_break_glass", is_safeguarding_lead | is_data_protection_officer)
