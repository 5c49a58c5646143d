"""Signing in with a password: the trail of each sign-in, failure and lockout, and
lockouts an attacker cannot turn on someone else.

Axes locks one account *from one address* after AXES_FAILURE_LIMIT failures, so
guessing the lead's password from elsewhere does not lock the lead out. Each further
lockout of that pair lasts twice as long (``cool_off``). Many accounts failing from one
address (password spraying) slow that address down for everyone (``SignInHandler``).
Also each sign-in, sign-out, session ended and refused request, written to the trail
(callers wire them to Django's signals and the middleware). Nothing here records a
password or anything about the people supported."""

from __future__ import annotations

from datetime import UTC, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.audittrail.models import Entry
from sharewise.organisations.access import scope_for
from sharewise.organisations.extensions import hooks

BASE_COOL_OFF = timedelta(minutes=15)
LONGEST_COOL_OFF = timedelta(hours=24)
# Password sign-in, or confirming the password again: step-up for people without a
# second factor reads this.
CONFIRMED_AT = "identity_confirmed_at"
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


def record_lockout(request, username: str, why: str, refused: bool = False) -> None:
    """A pair locked out (why="account") or an address slowed down (why="address");
    refused=True for a sign-in turned away while it lasts."""
    request.sharewise_lockout_recorded = True
    trail.record(
        action="sign-in locked out",
        object_type="user",
        address=_address(request),
        detail={"username": (username or "")[:150], "why": why, "refused": refused},
    )


def _address(request) -> str | None:
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or trail.client_address(request)


@receiver(user_logged_in, dispatch_uid="sharewise_signed_in")
def _signed_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    # Recorded in the trail by sessions.on_sign_in, with how they signed in.
    request.session[CONFIRMED_AT] = timezone.now().astimezone(UTC).isoformat()


@receiver(user_login_failed, dispatch_uid="sharewise_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    if getattr(request, "sharewise_refused", None):
        return  # turned away before the password was tried: recorded as a lockout
    record_sign_in_failure(request, (credentials or {}).get("username", ""))


@receiver(user_locked_out, dispatch_uid="sharewise_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    if request is not None and not getattr(request, "sharewise_lockout_recorded", False):
        record_lockout(request, username, "account")


def cool_off(request=None) -> timedelta:
    """How long this account stays locked from this address: 15 minutes for a first
    lockout, doubling with each lockout since their last sign-in from there (within a
    day), up to 24 hours."""
    if request is None:
        return BASE_COOL_OFF
    username = get_client_username(request, getattr(request, "axes_credentials", None))
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    if not username or not address:
        return BASE_COOL_OFF
    since = timezone.now() - timedelta(days=1)
    last_success = (
        AccessLog.objects.filter(username=username, ip_address=address, attempt_time__gte=since)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    earlier = AccessFailureLog.objects.filter(
        username=username, ip_address=address, attempt_time__gte=last_success or since
    ).count()
    lockouts = earlier // settings.AXES_FAILURE_LIMIT
    return min(BASE_COOL_OFF * (2 ** min(lockouts, 10)), LONGEST_COOL_OFF)


def address_slowed(address: str | None) -> bool:
    """Whether so many different accounts have failed to sign in from this address
    lately that it looks like password spraying."""
    if not address:
        return False
    window = timezone.now() - timedelta(minutes=settings.SHAREWISE_SIGN_IN_ADDRESS_WINDOW_MINUTES)
    accounts = (
        AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=window)
        .values("username")
        .distinct()
        .count()
    )
    return accounts >= settings.SHAREWISE_SIGN_IN_ADDRESS_LIMIT


class SignInHandler(AxesDatabaseHandler):
    """Axes' database handler, also refusing an address while it is slowed down."""

    def get_user_attempts(self, request, credentials=None):
        # Each pair's own expiry decides, not the (longer) cool-off its next lockout
        # would have.
        now = timezone.now()
        return [
            attempts.filter(Q(expiration__isnull=True) | Q(expiration__expires_at__gt=now))
            for attempts in super().get_user_attempts(request, credentials)
        ]

    def is_locked(self, request, credentials=None) -> bool:
        why = None
        if super().is_locked(request, credentials):
            why = "account"
        elif address_slowed(getattr(request, "axes_ip_address", None)):
            why = "address"
        if why and request is not None:
            request.sharewise_refused = why
            request.axes_locked_out = True  # so the sign-in page answers with the lockout
            if not getattr(request, "sharewise_lockout_recorded", False):
                record_lockout(request, get_client_username(request, credentials), why, True)
        return why is not None


def locked_pairs(username: str):
    """Addresses this account is locked out from now (for the staff member's page)."""
    return AccessAttempt.objects.filter(
        username=username,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        expiration__expires_at__gt=timezone.now(),
    ).values_list("ip_address", flat=True)
