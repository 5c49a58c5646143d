"""Session limits from the access policy, where someone is signed in, and what they had
typed when a session ran out.

The idle and absolute limits are enforced here, per request, rather than by the session
store's own expiry: a session past its limit is still readable, so Sharewise knows whose
it was, can keep a form they were sending as a draft for them, and can tell them why
they were signed out."""

import base64
import functools
import json
import re
import time
from datetime import timedelta
from importlib import import_module
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import user_logged_in, user_logged_out
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme

from sharewise.audittrail import trail
from sharewise.organisations import signin
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import KeptDraft, SignedInSession

SIGNED_IN_AT = "signed_in_at"
LAST_ACTIVE_AT = "last_active_at"
LIMITS = "session_limits"
KEPT_DRAFTS = "kept_drafts"
TRACKED = "signed_in_session_id"
TOUCH_EVERY = 60  # seconds: last activity is written at most this often

# Paths whose forms are never kept: signing in and out, and account pages that ask for
# a password.
NOT_KEPT = ("/sign-in/", "/sign-out/", "/account/", "/api/")
# A form's typing, not an upload: anything larger is not kept.
KEPT_AT_MOST = 256 * 1024
# Fields never kept, whatever the form.
NEVER_KEPT = re.compile(r"csrfmiddlewaretoken|password|secret|otp|token", re.IGNORECASE)


def limits_for(user) -> tuple[int, int]:
    """(idle seconds, absolute seconds) from the access policy for this person."""
    from sharewise.policy import documents, store

    scope = scope_for(user)
    if scope.organisation_id is None:
        policy = documents.default("access")
    else:
        policy = store.in_force(scope.organisation_id, "access")[1]
    limits = policy.sessions
    if policy.is_privileged(scope.roles):
        return limits.idle_minutes_privileged * 60, limits.absolute_hours_privileged * 3600
    return limits.idle_minutes * 60, limits.absolute_hours * 3600


# --- Signing in and out --------------------------------------------------------------


def _user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300] if request else ""


def on_sign_in(sender, request, user, **kwargs):
    backend = getattr(user, "backend", "") or ""
    # Single sign-on records its own, with the provider's identity; the test client's
    # force_login has no path: not a sign-in anyone made.
    if "single_sign_on" not in backend and getattr(request, "path", ""):
        signin.record_sign_in(request, user, via="password")
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    session = request.session
    session[SIGNED_IN_AT] = now
    session[LAST_ACTIVE_AT] = now
    session[LIMITS] = limits_for(user)
    if session.session_key is None:
        session.save()
    moment = timezone.now()
    tracked, _ = SignedInSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "user_agent": _user_agent(request),
            "address": trail.client_address(request),
            "signed_in_at": moment,
            "last_active_at": moment,
            "ended_at": None,
        },
    )
    session[TRACKED] = tracked.pk
    KeptDraft.objects.filter(kept_at__lt=timezone.now() - KeptDraft.KEPT_FOR).delete()
    paths = list(user.kept_drafts.values_list("path", flat=True))
    if paths:
        session[KEPT_DRAFTS] = paths


def on_sign_out(sender, request, user, **kwargs):
    signin.record_sign_out(request, user)
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        _mark_ended([key], "signed out")


def connect():
    user_logged_in.connect(on_sign_in, dispatch_uid="sharewise-sign-in")
    user_logged_out.connect(on_sign_out, dispatch_uid="sharewise-sign-out")


# --- Ending sessions -----------------------------------------------------------------


def _mark_ended(keys, why: str) -> None:
    SignedInSession.objects.filter(session_key__in=keys, ended_at__isnull=True).update(
        ended_at=timezone.now(), ended_why=why
    )


def end_sessions(sessions, why: str) -> int:
    """Delete these sessions from the session store, so each is signed out on its next
    request, and mark them ended. Returns how many were open."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = [s.session_key for s in sessions]
    for key in keys:
        store(session_key=key).delete()
    _mark_ended(keys, why)
    return len(keys)


def open_sessions(user):
    """Their sessions not signed out nor past the policy's limits, newest first."""
    idle, absolute = limits_for(user)
    now = timezone.now()
    return SignedInSession.objects.filter(
        user=user,
        ended_at__isnull=True,
        last_active_at__gte=now - timedelta(seconds=idle + TOUCH_EVERY),
        signed_in_at__gte=now - timedelta(seconds=absolute),
    ).order_by("-last_active_at")


def end_every_session_of(user, why: str) -> int:
    """For leavers: every session they have, whatever its limits."""
    return end_sessions(list(user.signed_in_sessions.filter(ended_at__isnull=True)), why)


# --- Drafts kept when a session runs out ----------------------------------------------


def _fernet() -> Fernet:
    key = salted_hmac("sharewise.kept-drafts", "key", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def sent_fields(request) -> dict:
    """What a form sent, but not its token, passwords nor codes: {name: [values]}."""
    return _kept_fields(request)


def _kept_fields(request) -> dict:
    fields = {}
    for name in request.POST:
        if NEVER_KEPT.search(name):
            continue
        values = [v for v in request.POST.getlist(name)]
        if any(v.strip() for v in values):
            fields[name] = values
    return fields


def form_page(request) -> str:
    """The page a form was sent from: the same-site Referer's path when there is one
    (a form may post to another address than its page's), else the path posted to."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        path = urlsplit(referer).path
        if path and not path.startswith(NOT_KEPT):
            return path
    return request.path


def keep_draft(request, user) -> bool:
    """Keep what a POST on a run-out session carried, for this person alone, if the
    form was theirs (its CSRF token holds) and held anything typed."""
    if request.method != "POST" or request.path.startswith(NOT_KEPT):
        return False
    if CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None:
        return False
    return keep_fields(user, form_page(request), _kept_fields(request))


def keep_fields(user, path: str, fields: dict) -> bool:
    """Keep these form fields ({name: [values]}) for this person and page, encrypted,
    in place of any kept before: a session that ran out keeps what it sent, and a form
    that saves as it is filled keeps its draft here too."""
    fields = {
        name: [str(v) for v in values]
        for name, values in fields.items()
        if not NEVER_KEPT.search(name) and any(str(v).strip() for v in values)
    }
    if not fields:
        return False
    plain = json.dumps(fields).encode()
    if len(plain) > KEPT_AT_MOST:
        return False
    sealed = _fernet().encrypt(plain)
    page = path[:300]
    KeptDraft.objects.filter(user=user, path=page).delete()
    KeptDraft.objects.create(user=user, path=page, fields=sealed)
    return True


def kept_fields(user, path: str):
    """(fields, kept_at) of this person's draft of this page, left in place; None when
    there is none (or it is older than a day)."""
    draft = (
        KeptDraft.objects.filter(
            user=user, path=path, kept_at__gte=timezone.now() - KeptDraft.KEPT_FOR
        )
        .order_by("-kept_at")
        .first()
    )
    if draft is None:
        return None
    try:
        return json.loads(_fernet().decrypt(bytes(draft.fields))), draft.kept_at
    except InvalidToken:  # the secret key changed since
        return None


def forget_draft(user, path: str) -> None:
    """The form was sent: its draft is no longer needed."""
    KeptDraft.objects.filter(user=user, path=path).delete()


def take_draft(request):
    """The fields kept for this person and path, once: the draft is deleted as it is
    given back. None when there is none (or it is older than a day)."""
    paths = request.session.get(KEPT_DRAFTS)
    if not paths or request.path not in paths:
        return None
    paths.remove(request.path)
    request.session[KEPT_DRAFTS] = paths
    draft = (
        KeptDraft.objects.filter(
            user=request.user,
            path=request.path,
            kept_at__gte=timezone.now() - KeptDraft.KEPT_FOR,
        )
        .order_by("-kept_at")
        .first()
    )
    if draft is None:
        return None
    KeptDraft.objects.filter(user=request.user, path=request.path).delete()
    try:
        return json.loads(_fernet().decrypt(bytes(draft.fields)))
    except InvalidToken:  # the secret key changed since
        return None


# --- Middleware ----------------------------------------------------------------------


def _ended_message(why: str, idle: int, absolute: int, kept: bool) -> str:
    if why == signin.ENDED_IDLE:
        text = f"You were signed out after {idle // 60} minutes without activity."
    else:
        text = f"You were signed out because you had been signed in for {absolute // 3600} hours."
    if kept:
        text += (
            " What you were sending has been kept: sign in and it will be put back in the "
            "form for you to check and send again."
        )
    else:
        text += " Sign in again to carry on."
    return text


class SessionLimitsMiddleware:
    """Ends a browser session past its idle or absolute limit (keeping a form being sent
    as a draft), notes activity at most once a minute, gives a kept draft back, and
    writes each request refused to a signed-in member of staff to the trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and hasattr(request, "session"):
            ended = self._limits(request, user)
            if ended is not None:
                return ended
            if request.method == "GET":
                request.restored_draft = take_draft(request)
                if request.restored_draft:
                    messages.info(
                        request,
                        "You were signed out before this was sent. What you had typed has "
                        "been put back: check it and send it again.",
                    )
        response = self.get_response(request)
        self._refused(request, response)
        return response

    def _limits(self, request, user):
        session = request.session
        now = time.time()
        if SIGNED_IN_AT not in session:  # a session from before limits were kept
            session[SIGNED_IN_AT] = session[LAST_ACTIVE_AT] = now
            session[LIMITS] = limits_for(user)
        idle, absolute = session.get(LIMITS) or limits_for(user)
        why = None
        if now - session[SIGNED_IN_AT] > absolute:
            why = signin.ENDED_ABSOLUTE
        elif now - session[LAST_ACTIVE_AT] > idle:
            why = signin.ENDED_IDLE
        if why and request.path == _still_here():
            # Too late to stay: say so, but leave the session for the form still open
            # on the page, so what it sends is kept as a draft.
            return HttpResponse(status=401)
        if why:
            return self._end(request, user, why, idle, absolute)
        if now - session[LAST_ACTIVE_AT] >= TOUCH_EVERY or request.path == _still_here():
            session[LAST_ACTIVE_AT] = now
            session[LIMITS] = limits_for(user)
            self._touch(request, user)
        return None

    def _touch(self, request, user):
        """Note activity on the sessions page's row, following the session if its key
        changed since signing in (a later step of signing in may renew it)."""
        session = request.session
        if session.session_key is None:
            session.save()
        found = SignedInSession.objects.filter(
            pk=session.get(TRACKED, 0), user=user, ended_at__isnull=True
        ).update(last_active_at=timezone.now(), session_key=session.session_key)
        if not found:
            tracked, _ = SignedInSession.objects.update_or_create(
                session_key=session.session_key,
                defaults={
                    "user": user,
                    "user_agent": _user_agent(request),
                    "address": trail.client_address(request),
                    "ended_at": None,
                },
            )
            session[TRACKED] = tracked.pk

    def _end(self, request, user, why, idle, absolute):
        kept = keep_draft(request, user)
        signin.record_session_ended(request, user, why, kept_draft=kept)
        key = request.session.session_key
        request.session.flush()
        if key:
            _mark_ended([key], why)
        request.user = AnonymousUser()
        messages.warning(request, _ended_message(why, idle, absolute, kept))
        return redirect_to_login(
            request.get_full_path() if request.method == "GET" else form_page(request)
        )

    def _refused(self, request, response):
        """403s, and 404s from views (a record outside their scope looks like one that
        does not exist), for anyone signed in or using a token. A 404 for a path no view
        answers is a typo, not a refusal."""
        status = response.status_code
        if status not in (403, 404):
            return
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        if status == 404 and getattr(request, "resolver_match", None) is None:
            return
        signin.record_refused(request, status)


@functools.cache
def _still_here() -> str:
    return reverse("still_here")


# --- Saying what a browser is ---------------------------------------------------------

_BROWSERS = [
    ("Edg", "Edge"),
    ("OPR", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome", "Chrome"),
    ("Chromium", "Chrome"),
    ("Safari", "Safari"),
]
_SYSTEMS = [
    ("iPhone", "an iPhone"),
    ("iPad", "an iPad"),
    ("Android", "Android"),
    ("CrOS", "a Chromebook"),
    ("Windows", "Windows"),
    ("Mac OS X", "a Mac"),
    ("Macintosh", "a Mac"),
    ("Linux", "Linux"),
]


def describe_browser(user_agent: str) -> str:
    """'Chrome on Windows', in plain words, from a User-Agent header."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or f"A browser on {system}"
    return "An unknown browser"
