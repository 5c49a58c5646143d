"""Signing in and out, and refused requests, written to the audit trail.

Each function here is whole on its own: it takes the request (or the user) and writes
one entry; callers wire them to Django's signals and the middleware."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.audittrail.models import Entry
from sharewise.organisations.access import scope_for
from sharewise.organisations.extensions import hooks

REFUSED = "refused access"
REFUSED_NOTICE = "raised refused access notice"

# Why a session ended, in the words the trail and the sessions page use.
ENDED_IDLE = "idle limit"
ENDED_ABSOLUTE = "absolute limit"


def _organisation_id(user):
    return scope_for(user).organisation_id if user is not None else None


def record_sign_in(request, user, *, via: str = "password") -> None:
    trail.record(
        actor=user,
        action="signed in",
        object_type="staff member",
        object_id=user.pk,
        organisation_id=_organisation_id(user),
        address=trail.client_address(request) if request else None,
        detail={"via": via},
    )


def record_sign_in_failure(request, username: str) -> None:
    """A failed sign-in names the username tried (never the password), and the
    organisation of the account it names, if any, so its lead can find it."""
    username = (username or "")[:150]
    user = get_user_model().objects.filter(username=username).first() if username else None
    trail.record(
        actor=None,
        action="sign-in failed",
        object_type="staff member",
        object_id=user.pk if user else "",
        organisation_id=_organisation_id(user) if user and user.is_active else None,
        address=trail.client_address(request) if request else None,
        # A password asked for again (to make an API token) names the page it was on.
        detail={"username": username}
        if request is None or request.path.startswith("/sign-in/")
        else {"username": username, "page": request.path},
    )


def record_sign_out(request, user) -> None:
    if user is None or not user.is_authenticated:
        return
    trail.record(
        actor=user,
        action="signed out",
        object_type="staff member",
        object_id=user.pk,
        organisation_id=_organisation_id(user),
        address=trail.client_address(request) if request else None,
    )


def record_session_ended(request, user, why: str, *, kept_draft: bool = False) -> None:
    """Sharewise ended a session at its idle or absolute limit."""
    trail.record(
        actor=user,
        action="session ended",
        object_type="staff member",
        object_id=user.pk,
        organisation_id=_organisation_id(user),
        address=trail.client_address(request),
        reason=why,
        detail={"kept draft": kept_draft} if kept_draft else {},
    )


def record_signed_out_elsewhere(request, ended: int, *, everywhere_else: bool) -> None:
    trail.record_request(
        request,
        "signed out everywhere else" if everywhere_else else "signed out another session",
        object_type="staff member",
        object_id=request.user.pk,
        organisation_id=_organisation_id(request.user),
        detail={"sessions": ended},
    )


def record_refused(request, status: int) -> None:
    """One entry for a request refused to a signed-in member of staff: the path (never
    the query string, which may hold search words) and the status. When they have been
    refused often within the policy's window, the safeguarding leads hear of it once."""
    user = request.user
    organisation_id = _organisation_id(user)
    trail.record_request(
        request,
        REFUSED,
        object_type="page",
        object_id=request.path[:64],
        organisation_id=organisation_id,
        detail={"path": request.path[:300], "status": status, "method": request.method},
    )
    if organisation_id is not None:
        _notice_if_often(request, user, organisation_id)


def _notice_if_often(request, user, organisation_id) -> None:
    from sharewise.policy import store

    limits = store.in_force(organisation_id, "access")[1].refused_access
    since = timezone.now() - timedelta(minutes=limits.window_minutes)
    mine = Entry.objects.filter(actor_id=user.pk, at__gte=since)
    if mine.filter(action=REFUSED).count() < limits.notice_after:
        return
    if mine.filter(action=REFUSED_NOTICE).exists():
        return  # one notice per window
    name = user.get_full_name() or user.username
    message = (
        f"{name} was refused {limits.notice_after} or more times in "
        f"{limits.window_minutes} minutes: look at what they tried to open"
    )
    link = f"/audit-trail/?user={user.username}"
    told = []
    for tell in hooks("notices", "tell_safeguarding_leads"):
        told += tell(organisation_id, message, link, leave_out=user.pk) or []
    trail.record_request(
        request,
        REFUSED_NOTICE,
        object_type="staff member",
        object_id=user.pk,
        organisation_id=organisation_id,
        detail={
            "refusals": limits.notice_after,
            "window minutes": limits.window_minutes,
            "told": sorted(told),
        },
    )
