"""Step-up: the most serious actions (break-glass, sending a disclosure, countersigning,
changing policy) ask again who you are when you last proved it longer ago than the
access policy's second_factor.step_up_minutes.

Pages: ``@confirm_it_is_you("open a record with break-glass")``. A form sent too late
is kept in the session; after "Confirm it's you" the person presses Continue and the
same answers are sent again, nothing retyped.

The API has no session to ask in, so ``require_for_api`` asks the token instead: it
counts as confirmed when it was made within step_up_minutes of its maker proving who
they are (ApiToken.confirmed_at), and is refused with a 403 naming the rule otherwise.
People with a second factor prove it; people without one (not required by their
role) prove their password, at sign-in or on the confirm page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import wraps
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from sharewise.organisations import second_factor
from sharewise.organisations.signin import CONFIRMED_AT

KEPT = "step_up_kept"


def minutes(user) -> int:
    return second_factor.access_policy(user).second_factor.step_up_minutes


def _moment(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment


def uses_second_factor(request) -> bool:
    """Whether this person proves who they are with a second factor (rather than their
    password): they have one, their role needs one, or single sign-on vouched for it."""
    return (
        request.session.get(second_factor.VIA) == second_factor.SSO
        or second_factor.has_any(request.user)
        or second_factor.required(request.user)
    )


def confirmed_at(request) -> datetime | None:
    proven = _moment(request.session.get(second_factor.AT))
    if uses_second_factor(request):
        return proven
    password = _moment(request.session.get(CONFIRMED_AT))
    return max((m for m in (proven, password) if m), default=None)


def is_recent(request) -> bool:
    moment = confirmed_at(request)
    return moment is not None and timezone.now() - moment <= timedelta(
        minutes=minutes(request.user)
    )


def confirm_it_is_you(what: str):
    """For a view doing one of the most serious actions. `what` finishes the
    sentence "To ... confirm it's you", e.g. "send this referral"."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            # Only what changes something asks: reading the form or the policy does not.
            if (
                request.method in ("GET", "HEAD", "OPTIONS")
                or not request.user.is_authenticated
                or is_recent(request)
            ):
                if request.method == "POST" and kept_for(request, request.path):
                    del request.session[KEPT]  # sent again: done with
                return view(request, *args, **kwargs)
            came_from = request.META.get("HTTP_REFERER", "")
            request.session[KEPT] = {
                "path": request.path,
                "what": what,
                # "Back" returns to the form, not to the address it was sent to.
                "back": came_from
                if url_has_allowed_host_and_scheme(came_from, {request.get_host()})
                else "",
                "data": [
                    [name, request.POST.getlist(name)]
                    for name in request.POST
                    if name != "csrfmiddlewaretoken"
                ],
            }
            return redirect(f"{reverse('confirm_identity')}?{urlencode({'next': request.path})}")

        wrapped.asks_to_confirm = what
        return wrapped

    return decorator


def kept_for(request, path: str) -> dict | None:
    kept = request.session.get(KEPT)
    return kept if kept and kept.get("path") == path else None


def require_for_api(request, what: str) -> None:
    """Raise PermissionDenied (403 with the message) unless the token, or the browser
    session calling the API, confirmed who they are within step_up_minutes."""
    token = getattr(request, "api_token", None)
    limit = minutes(request.user)
    if token is None:
        if is_recent(request):
            return
        moment = None
    else:
        moment = token.confirmed_at
    if moment is not None and timezone.now() - moment <= timedelta(minutes=limit):
        return
    raise PermissionDenied(
        f"To {what} through the API the token must be made within {limit} minutes of "
        "proving who you are (the access policy's second_factor.step_up_minutes). Sign "
        "in to Sharewise with your second factor, make a new token under API tokens and "
        f"use it within {limit} minutes."
    )
