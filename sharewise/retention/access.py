"""Retention's one way in for reads: the review list, legal holds and destructions,
for the safeguarding lead and the data protection officer of the organisation. Other
roles are refused (403); another organisation's records are not found (404). Reads
naming people are written to the trail. Pages and the API both call these."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from sharewise.audittrail import trail
from sharewise.organisations.access import scope_for
from sharewise.retention import review
from sharewise.retention.models import Destruction, LegalHold

SEES = "Only the safeguarding lead and the data protection officer see retention and destruction."


def check_sees(user) -> None:
    if not user.has_perm("retention.see_review"):
        raise PermissionDenied(SEES)


def organisation_of(user) -> int:
    return scope_for(user).organisation_id


def review_for(request, via: str = "page") -> review.ReviewList:
    """The review list of the user's organisation, the people it names read."""
    check_sees(request.user)
    org = organisation_of(request.user)
    found = review.review_list(org)
    named = [r.person.pk for r in found.due + found.held]
    trail.record_reads(
        request,
        "viewed retention review",
        named,
        organisation_id=org,
        detail={"via": via} if via != "page" else None,
    )
    return found


def holds_visible_to(user):
    check_sees(user)
    return LegalHold.objects.filter(organisation_id=organisation_of(user))


def destructions_visible_to(user):
    check_sees(user)
    return Destruction.objects.filter(organisation_id=organisation_of(user))


def _one(queryset, pk):
    try:
        return queryset.get(pk=int(pk))
    except (TypeError, ValueError, queryset.model.DoesNotExist):
        raise Http404("Not found") from None


def get_hold_for(request, hold_id) -> LegalHold:
    return _one(holds_visible_to(request.user).select_related("placed_by", "lifted_by"), hold_id)


def get_destruction_for(request, destruction_id, via: str = "page") -> Destruction:
    destruction = _one(
        destructions_visible_to(request.user).select_related("proposed_by", "approved_by"),
        destruction_id,
    )
    trail.record_request(
        request,
        "viewed destruction",
        object_type="destruction",
        object_id=destruction.pk,
        organisation_id=destruction.organisation_id,
        detail={"via": via} if via != "page" else None,
    )
    return destruction
