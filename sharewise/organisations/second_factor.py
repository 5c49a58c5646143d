"""Second factors: who must have one, which ones someone has, proving one, adding,
removing and resetting them. Every change and every attempt goes to the trail.

Once a factor is proven in a session, the session holds ``second_factor_at`` (ISO 8601,
UTC) and ``second_factor_via`` (words, e.g. "passkey"); step-up checks read those, and a
single sign-on provider asserting multi-factor sets them too."""

from __future__ import annotations

from base64 import b32encode
from binascii import unhexlify
from datetime import UTC, datetime
from urllib.parse import urlsplit

import django_otp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from sharewise.audittrail import trail
from sharewise.organisations.access import scope_for
from sharewise.policy import documents, store

AT, VIA = "second_factor_at", "second_factor_via"
APP, PASSKEY, RECOVERY, SSO = "authenticator app", "passkey", "recovery code", "single sign-on"
RECOVERY_CODES = 10
RECOVERY_NAME = "Recovery codes"


def access_policy(user) -> documents.AccessPolicy:
    organisation_id = scope_for(user).organisation_id
    if organisation_id is None:
        return documents.AccessPolicy()
    return store.in_force(organisation_id, "access")[1]


def required(user) -> bool:
    """Whether this member of staff must sign in with a second factor: their role is
    privileged by the access policy, or the policy asks it of everyone."""
    policy = access_policy(user)
    return policy.second_factor.everyone or policy.is_privileged(scope_for(user).roles)


def authenticator_apps(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def passkeys(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def recovery_codes(user):
    return StaticDevice.objects.filter(user=user, name=RECOVERY_NAME).first()


def unused_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()


def has_factor(user) -> bool:
    """An authenticator app or a passkey: recovery codes alone are only a way back in."""
    return authenticator_apps(user).exists() or passkeys(user).exists()


def has_any(user) -> bool:
    return django_otp.user_has_device(user)


def proven_at(request) -> datetime | None:
    value = request.session.get(AT)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def _record(request, action, user=None, **detail):
    user = user or request.user
    trail.record_request(
        request,
        action,
        object_type="user",
        object_id=user.pk,
        organisation_id=scope_for(user).organisation_id,
        detail=detail,
    )


def prove(request, via: str, device=None) -> None:
    """Mark this session as having proven a second factor now."""
    if device is not None:
        django_otp.login(request, device)
    request.session[AT] = timezone.now().astimezone(UTC).isoformat()
    request.session[VIA] = via
    _record(request, "second factor verified", via=via)


def failed(request, via: str) -> None:
    _record(request, "second factor failed", via=via)


def check_code(request, code: str) -> bool:
    """A code from one of the person's authenticator apps; each code works once."""
    code = "".join((code or "").split())
    if code.isdigit() and len(code) == 6:
        for device in authenticator_apps(request.user):
            if device.verify_token(code):
                prove(request, APP, device)
                return True
    failed(request, APP)
    return False


def check_recovery_code(request, code: str) -> bool:
    """A recovery code: each works once, then it is gone."""
    code = "".join((code or "").split()).lower()
    device = recovery_codes(request.user)
    if code and device is not None and device.verify_token(code):
        prove(request, RECOVERY, device)
        _record(request, "used recovery code", left=unused_recovery_codes(request.user))
        return True
    failed(request, RECOVERY)
    return False


def seconds_to_wait(user) -> int:
    """After several wrong codes in a row each try waits twice as long (django-otp's
    throttling): how long before the next may be checked."""
    longest = 0
    for device in [*authenticator_apps(user), recovery_codes(user)]:
        if device is None or device.verify_is_allowed()[0]:
            continue
        delay = device.get_throttle_factor() * 2 ** (device.throttling_failure_count - 1)
        passed = (timezone.now() - device.throttling_failure_timestamp).total_seconds()
        longest = max(longest, int(delay - passed) + 1)
    return longest


def new_authenticator_key() -> str:
    return random_hex(20)


def setup_address(user, key: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return TOTPDevice(user=user, key=key, name="Authenticator app").config_url


def secret_words(key: str) -> str:
    """The key as authenticator apps ask for it when typed: base32 in groups of four."""
    text = b32encode(unhexlify(key)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def add_authenticator_app(request, key: str, code: str, name: str = "") -> TOTPDevice | None:
    """Keep the app whose key this is if the code it shows now is right, else None."""
    code = "".join((code or "").split())
    totp = TOTP(unhexlify(key))
    if not (code.isdigit() and len(code) == 6 and totp.verify(int(code), tolerance=1)):
        failed(request, APP)
        return None
    with transaction.atomic():
        device = TOTPDevice.objects.create(
            user=request.user,
            name=(name or "Authenticator app")[:64],
            key=key,
            confirmed=True,
            last_t=totp.t(),
            drift=totp.drift,
        )
        added(request, APP, device)
    return device


def added(request, via: str, device) -> None:
    """A new factor: it was just used, so it proves the session if nothing else has."""
    _record(request, "added second factor", via=via, name=device.name)
    if not request.session.get(AT):
        prove(request, via, device)


def new_recovery_codes(request) -> list[str]:
    """Ten fresh recovery codes in place of any left; shown once, kept only as
    single-use tokens."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=request.user, name=RECOVERY_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        _record(request, "made new recovery codes", count=len(codes))
    return codes


def describe(device) -> str:
    if isinstance(device, WebAuthnCredential):
        return PASSKEY
    if isinstance(device, StaticDevice):
        return RECOVERY
    return APP


def remove(request, device) -> None:
    """Remove one of one's own factors. Raises ValidationError when it is the last
    authenticator app or passkey of someone who must have a second factor."""
    if device.user_id != request.user.pk:
        raise ValidationError("That is not one of your second factors.")
    others = [
        d
        for d in [*authenticator_apps(request.user), *passkeys(request.user)]
        if not (type(d) is type(device) and d.pk == device.pk)
    ]
    if not others and required(request.user):
        raise ValidationError(
            "Your role needs a second factor: add another authenticator app or passkey "
            "before you remove this one."
        )
    with transaction.atomic():
        _record(request, "removed second factor", via=describe(device), name=device.name)
        device.delete()
        if not others:
            StaticDevice.objects.filter(user=request.user).delete()


def reset_for(request, member, reason: str) -> int:
    """An administrator removes every second factor of someone else who lost theirs;
    they set one up again at their next request. Returns how many were removed."""
    reason = (reason or "").strip()
    if member.pk == request.user.pk:
        raise ValidationError(
            "You cannot reset your own second factors: ask another administrator."
        )
    if len(reason) < 10:
        raise ValidationError(
            "Give a reason of at least 10 characters: say how you know they lost their device."
        )
    with transaction.atomic():
        removed = 0
        for model in (TOTPDevice, WebAuthnCredential, StaticDevice):
            removed += model.objects.filter(user=member).delete()[1].get(model._meta.label, 0)
        trail.record_request(
            request,
            "reset second factors",
            object_type="user",
            object_id=member.pk,
            organisation_id=scope_for(request.user).organisation_id,
            reason=reason,
            detail={"user": member.username, "removed": removed},
        )
    return removed


# Passkeys ------------------------------------------------------------------------------

LOOPBACK = {"localhost", "127.0.0.1", "[::1]", "::1"}


def _request_host(request) -> str:
    return urlsplit(f"//{request.get_host()}").hostname or ""


def relying_party_id(request) -> str:
    """Passkeys belong to the site's host name (SHAREWISE_SITE_URL); on a developer's
    own machine, to the loopback name the browser used."""
    host = _request_host(request)
    if host in LOOPBACK:
        return "localhost" if host == "localhost" else host
    return urlsplit(settings.SHAREWISE_SITE_URL).hostname


class PasskeyHelper(WebAuthnHelper):
    def get_allowed_origins(self) -> list[str]:
        if _request_host(self.request) in LOOPBACK:
            return [f"{self.request.scheme}://{self.request.get_host()}"]
        site = urlsplit(settings.SHAREWISE_SITE_URL)
        return [f"{site.scheme}://{site.netloc}"]

    def get_credential_display_name(self, user) -> str:
        return user.get_full_name() or user.get_username()

    def create_credential(self, user, response, parsed_credential, original_data):
        device = super().create_credential(user, response, parsed_credential, original_data)
        device.name = f"Passkey added {timezone.localdate():%-d %B %Y}"
        return device

    def register_complete(self, user, state, data):
        device = super().register_complete(user, state, data)
        added(self.request, PASSKEY, device)
        return device

    def authenticate_complete(self, user, state, data):
        try:
            device = super().authenticate_complete(user, state, data)
        except Exception:
            if user is not None:
                failed(self.request, PASSKEY)
            raise
        prove(self.request, PASSKEY, device)
        return device
