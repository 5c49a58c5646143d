"""Signing in with a password: the trail of each sign-in, failure and lockout, and
lockouts an attacker cannot turn on someone else.

Axes locks one account *from one address* after AXES_FAILURE_LIMIT failures, so
guessing the lead's password from elsewhere does not lock the lead out. Each further
lockout of that pair lasts twice as long (``cool_off``). Many accounts failing from one
address (password spraying) slow that address down for everyone (``SignInHandler``).
Nothing here records a password or anything about the people supported."""

from __future__ import annotations

from datetime import UTC, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations.access import scope_for

BASE_COOL_OFF = timedelta(minutes=15)
LONGEST_COOL_OFF = timedelta(hours=24)
# Password sign-in, or confirming the password again: step-up for people without a
# second factor reads this.
CONFIRMED_AT = "identity_confirmed_at"


def record_sign_in(request, *, succeeded: bool, username: str = "", user=None, how="password"):
    """The one place sign-ins and failed sign-ins reach the trail: who (username) and
    from where (the address), never the password tried."""
    if succeeded:
        trail.record(
            actor=user,
            action="signed in",
            object_type="user",
            object_id=user.pk,
            organisation_id=scope_for(user).organisation_id,
            address=_address(request),
            detail={"how": how},
        )
    else:
        trail.record(
            action="sign-in failed",
            object_type="user",
            address=_address(request),
            detail={"username": (username or "")[:150], "how": how},
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
    request.session[CONFIRMED_AT] = timezone.now().astimezone(UTC).isoformat()
    # The test client's force_login has no path: not a sign-in anyone made.
    if getattr(request, "path", ""):
        record_sign_in(request, succeeded=True, user=user)


@receiver(user_login_failed, dispatch_uid="sharewise_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    if getattr(request, "sharewise_refused", None):
        return  # turned away before the password was tried: recorded as a lockout
    record_sign_in(request, succeeded=False, username=(credentials or {}).get("username", ""))


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
