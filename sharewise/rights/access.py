"""The one way in to subject access and rectification requests, for the pages and the
API alike: PermissionDenied for those who do not work on them (care workers among
them), 404 outside the caller's scope, and every read of a person's record written to
the trail."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

from sharewise.people.access import get_person_for
from sharewise.rights import exporting
from sharewise.rights.models import Rectification, SubjectAccessRequest
from sharewise.security import throttle

REFUSALS = {
    "rights.see_requests": "Only the data protection officer and safeguarding leads see "
    "subject access and rectification requests.",
    "rights.prepare": "Only the data protection officer and safeguarding leads log and "
    "prepare subject access and rectification requests.",
    "rights.approve": "Only the data protection officer approves a subject access response.",
    "rights.send": "Only the data protection officer sends a subject access response.",
    "rights.extend": "Only the data protection officer extends the time to answer.",
    "rights.close": "Only the data protection officer refuses a request or records it withdrawn.",
}

RELATED = ("person", "organisation", "logged_by", "identity_checked_by", "dpo_approved_by")


def require(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(REFUSALS[perm])


def requests_visible_to(user):
    """Requests about people the user may see, for those who work on them; none else."""
    if not user.has_perm("rights.see_requests"):
        return SubjectAccessRequest.objects.none()
    return SubjectAccessRequest.objects.visible_to(user).select_related(*RELATED)


def rectifications_visible_to(user):
    if not user.has_perm("rights.see_requests"):
        return Rectification.objects.none()
    return Rectification.objects.visible_to(user).select_related("person", "logged_by")


def get_request_for(
    request, sar_id, *, action: str = "opened subject access request", via: str = "page"
) -> SubjectAccessRequest:
    """A request the caller may work on, with the read of its person on the trail."""
    require(request.user, "rights.see_requests")
    sar = requests_visible_to(request.user).filter(pk=sar_id).first()
    if sar is None:
        raise Http404("No such request")
    get_person_for(request, sar.person_id, action=action, via=via)
    return sar


def get_rectification_for(
    request, rectification_id, *, action: str = "opened rectification request", via="page"
) -> Rectification:
    require(request.user, "rights.see_requests")
    found = rectifications_visible_to(request.user).filter(pk=rectification_id).first()
    if found is None:
        raise Http404("No such request")
    get_person_for(request, found.person_id, action=action, via=via)
    return found


def get_person_to_ask_about(request, person_id, *, action: str, via: str = "page"):
    """The person a request is about: PermissionDenied first, then 404 out of scope."""
    require(request.user, "rights.see_requests")
    return get_person_for(request, person_id, action=action, via=via)


def export_response(request, sar_id, form, *, via="page") -> HttpResponse:
    """The prepared response as a download, PDF or JSON: the page and the API answer the
    same bytes, and every download is on the trail."""
    if form not in ("pdf", "json"):
        raise Http404("Choose pdf or json")
    sar = get_request_for(
        request, sar_id, action=f"downloaded subject access export ({form})", via=via
    )
    if not sar.export_json:
        raise Http404("Not prepared yet")
    throttle.check_export(request)
    if form == "pdf":
        response = HttpResponse(bytes(sar.export_pdf), content_type="application/pdf")
    else:
        response = HttpResponse(
            exporting.canonical(sar.export_json), content_type="application/json"
        )
    response["Content-Disposition"] = f'attachment; filename="subject-access-{sar.pk}.{form}"'
    return response
