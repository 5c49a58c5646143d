"""The page a form gets when its security token no longer holds (the person signed in
again in another tab, or the page was open a long time): what they typed is kept and
they can send it again, never a bare "403 Forbidden"."""

from urllib.parse import urlsplit

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from sharewise.organisations import sessions


def _from_our_pages(request) -> bool:
    """Only a form on one of our own pages is offered again: a form another site
    posted here must not come back with a good token for someone to press."""
    origin = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER", "")
    if not origin:
        return False
    return url_has_allowed_host_and_scheme(
        origin, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) and bool(urlsplit(origin).netloc)


def csrf_failure(request, reason=""):
    ours = request.method == "POST" and _from_our_pages(request)
    fields = sessions.sent_fields(request) if ours else {}
    page = sessions.form_page(request) if ours else "/"
    signed_in = request.user.is_authenticated
    if ours and signed_in and fields:
        # Kept as a draft too, so a page that reopens its draft finds every word.
        sessions.keep_fields(request.user, page, fields)
    return render(
        request,
        "form_not_sent.html",
        {
            "fields": [(name, value) for name, values in fields.items() for value in values],
            "words": [
                value
                for values in fields.values()
                for value in values
                if len(value) > 40 or " " in value.strip()
            ],
            "send_to": request.path if ours and signed_in else None,
            "page": page,
            "signed_in": signed_in,
        },
        status=403,
    )
