from django.db.models import Q
from django.http import Http404

from sharewise.concerns import recording, visibility
from sharewise.concerns.models import Concern, ConcernPerson
from sharewise.organisations.access import scopes_for
from sharewise.people.access import break_glass_grant
from sharewise.people.models import Enrolment, Person


def get_concern_for(request, concern_id, *, action="viewed concern", via="page") -> Concern:
    """A concern this user may see, with the read written to the trail against each
    person it is about; otherwise Http404."""
    concern = (
        Concern.objects.visible_to(request.user)
        .select_related(
            "service", "team", "recorded_by", "source_staff", "source_person", "policy_version"
        )
        .filter(pk=concern_id)
        .first()
    )
    if concern is None:
        concern = _through_break_glass(request, concern_id)
    if concern is None:
        raise Http404("No such concern")
    for person in concern.people.all():
        recording.write_trail(request, action, concern, person, via=via)
    return concern


def _through_break_glass(request, concern_id):
    concern = Concern.objects.exclude(source_staff=request.user).filter(pk=concern_id).first()
    if concern is None:
        return None
    if any(break_glass_grant(request, pid) for pid in concern.people.values_list("pk", flat=True)):
        return concern
    return None


def name_people(concerns, viewer) -> dict:
    """Set people_shown (the people each concern is about whom the viewer may see) and
    people_unseen (how many others) on each concern; returns the people shown by id.
    Lists never name, nor give the id of, someone the viewer may not see."""
    about: dict[int, list[int]] = {}
    for concern_id, person_id in ConcernPerson.objects.filter(
        concern_id__in=[c.pk for c in concerns]
    ).values_list("concern_id", "person_id"):
        about.setdefault(concern_id, []).append(person_id)
    ids = {p for ps in about.values() for p in ps}
    shown = Person.objects.visible_to(viewer, include_merged=True).in_bulk(ids)
    for c in concerns:
        mine = about.get(c.pk, [])
        c.people_shown = [shown[p] for p in mine if p in shown]
        c.people_unseen = len(mine) - len(c.people_shown)
    return shown


def who_may_see(user_ids, concern_ids) -> set[int]:
    """Those of these members of staff who may see every one of these concerns, by the
    one rule (concerns.visibility): for choosing who hears of a record made from them."""
    user_ids, concern_ids = set(user_ids), list(concern_ids)
    if not user_ids or not concern_ids:
        return user_ids
    about: dict[int, set[int]] = {}
    for concern_id, person_id in ConcernPerson.objects.filter(
        concern_id__in=concern_ids
    ).values_list("concern_id", "person_id"):
        about.setdefault(concern_id, set()).add(person_id)
    # A person is known to the teams of their own record, of records merged into it and
    # of the record it was merged into.
    people = {p for ps in about.values() for p in ps}
    family: dict[int, set[int]] = {p: {p} for p in people}
    for pk, kept in Person.objects.filter(
        Q(pk__in=people) | Q(merged_into__in=people), merged_into__isnull=False
    ).values_list("pk", "merged_into_id"):
        family.setdefault(pk, {pk}).add(kept)
        family.setdefault(kept, {kept}).add(pk)
    teams: dict[int, set[int]] = {}
    for person_id, team_id in (
        Enrolment.objects.current_or_recent()
        .filter(person_id__in={r for rs in family.values() for r in rs})
        .values_list("person_id", "team_id")
    ):
        teams.setdefault(person_id, set()).add(team_id)
    reach = [
        visibility.ConcernReach(
            organisation_id,
            frozenset(
                t for p in about.get(pk, ()) for r in family.get(p, {p}) for t in teams.get(r, ())
            ),
            source_staff_id,
        )
        for pk, organisation_id, source_staff_id in Concern.objects.filter(
            pk__in=concern_ids
        ).values_list("pk", "organisation_id", "source_staff_id")
    ]
    return {
        user_id
        for user_id, scope in scopes_for(user_ids).items()
        if all(visibility.concern_rule(user_id, scope).allows(r) for r in reach)
    }
