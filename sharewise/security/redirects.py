"""Where to go after a form: a return address given in the link (`?next=`) is followed
only if it stays on this site. Every view that reads one calls return_address()."""

from django.core.exceptions import DisallowedRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from sharewise.audittrail import trail


def is_safe(request, target: str) -> bool:
    return url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def return_address(request, fallback: str, name: str = "next") -> str:
    """The page to go back to, or `fallback` when none is given. A return address that
    leaves the site is refused (400) before anything is saved, and the attempt is
    written to the trail: such a link is someone trying to send staff elsewhere."""
    target = request.POST.get(name) or request.GET.get(name) or ""
    if not target:
        return fallback
    if not is_safe(request, target):
        trail.record_request(
            request,
            "refused a return address leaving Sharewise",
            object_type="link",
            detail={"path": request.path, "field": name},
        )
        raise DisallowedRedirect("A return address must stay on this site.")
    return target
