from django.http import Http404

from sharewise.concerns import recording
from sharewise.concerns.models import Concern, ConcernPerson
from sharewise.people.access import break_glass_grant
from sharewise.people.models import Person


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
