from django.http import Http404

from sharewise.concerns import recording
from sharewise.concerns.models import Concern
from sharewise.people.access import break_glass_grant


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
