"""Sign in with the organisation's own account, through its OpenID Connect provider.

mozilla-django-oidc runs the Authorization Code flow with PKCE, state and nonce; here
it learns the provider's endpoints from its discovery document, checks the ID token's
RS256 signature against the provider's keys together with its issuer, audience and
expiry, and matches the person to an existing member of staff. Nobody is ever created
here and no role comes from the provider: roles stay in Sharewise.

A person is matched by the pair (issuer, subject) linked to their account, either set
by an administrator or, on their first sign-in, by an email the provider says it has
verified (or a claim the deployment trusts, see README.md). Everything refused is
written to the trail with the issuer and subject, never a token.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import ip_address
from urllib.parse import urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core import checks
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from sharewise.audittrail import trail
from sharewise.organisations import roles
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Membership, SingleSignOnIdentity

logger = logging.getLogger(__name__)

NOT_LINKED = (
    "Your organisation's account is not linked to a Sharewise account: "
    "ask your administrator to add you."
)
DID_NOT_WORK = (
    "Signing in with your organisation's account did not work this time. "
    "Try again, or sign in with your username and password."
)
UNAVAILABLE = (
    "Signing in with your organisation's account is not available just now. "
    "Sign in with your username and password, or try again later."
)
# The session key the sign-in page reads its single sign-on problem from.
WAITING = (
    "Your organisation's account is linked to your Sharewise account, but a safeguarding "
    "lead or the data protection officer has not approved the link yet. Sign in with your "
    "password for now, or ask them to approve it."
)
PROBLEM = "single_sign_on_problem"

# `amr` values (RFC 8176, and Microsoft Entra ID's) that mean more than one factor was
# proven. Entra's "wiaormfa" may be Windows sign-in alone, so it is not here.
MULTI_FACTOR = {"mfa", "otp", "hwk", "swk", "fido", "ngcmfa"}
DISCOVERY_SECONDS = 3600
LEEWAY_SECONDS = 60


def is_configured() -> bool:
    return bool(settings.SHAREWISE_SSO_ISSUER and settings.OIDC_RP_CLIENT_ID)


@checks.register(checks.Tags.security, deploy=True)
def check_single_sign_on(app_configs=None, **kwargs):
    """Mistakes in the single sign-on settings that would otherwise show only when
    someone tries to sign in."""
    if not is_configured():
        return []
    problems = []
    if not settings.SHAREWISE_SSO_ISSUER.startswith("https://"):
        problems.append(checks.Warning("SHAREWISE_SSO_ISSUER is not HTTPS", id="sharewise.W101"))
    if not settings.OIDC_RP_CLIENT_SECRET:
        problems.append(
            checks.Warning(
                "SHAREWISE_SSO_CLIENT_SECRET is not set: the provider will refuse every sign-in",
                id="sharewise.W102",
            )
        )
    if settings.SHAREWISE_SSO_TRUSTED_CLAIM == "email":
        problems.append(
            checks.Warning(
                "SHAREWISE_SSO_TRUSTED_CLAIM=email is ignored: an email is only trusted "
                "when the provider has verified it",
                hint="Use preferred_username for Microsoft Entra ID, or leave it empty.",
                id="sharewise.W103",
            )
        )
    return problems


class Refused(Exception):
    """Sign-in refused: `reason` goes to the trail, `message` to the person."""

    def __init__(self, reason, message=NOT_LINKED, *, subject="", user=None):
        super().__init__(reason)
        self.reason, self.message, self.subject, self.user = reason, message, subject, user


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str


_discovered: dict[str, tuple[float, Provider]] = {}


def forget_provider():
    _discovered.clear()


def _loopback(url) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def provider() -> Provider:
    """The provider's endpoints from its discovery document, kept for an hour. Its
    issuer must be exactly the one configured, and every endpoint HTTPS (loopback
    addresses aside, for development and tests)."""
    issuer = settings.SHAREWISE_SSO_ISSUER
    url = settings.SHAREWISE_SSO_DISCOVERY_URL or (
        issuer.rstrip("/") + "/.well-known/openid-configuration"
    )
    cached = _discovered.get(url)
    if cached and time.monotonic() - cached[0] < DISCOVERY_SECONDS:
        return cached[1]
    answer = requests.get(url, timeout=settings.OIDC_TIMEOUT)
    answer.raise_for_status()
    document = answer.json()
    if document.get("issuer") != issuer:
        raise SuspiciousOperation(
            f"the discovery document names issuer {document.get('issuer')!r}, not {issuer!r}"
        )
    found = Provider(
        issuer=issuer,
        authorization_endpoint=document["authorization_endpoint"],
        token_endpoint=document["token_endpoint"],
        userinfo_endpoint=document["userinfo_endpoint"],
        jwks_uri=document["jwks_uri"],
    )
    for endpoint in (url, *vars(found).values()):
        if not endpoint.startswith("https://") and not _loopback(endpoint):
            raise SuspiciousOperation(f"{endpoint} is not HTTPS")
    _discovered[url] = (time.monotonic(), found)
    return found


def multi_factor(claims) -> bool:
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return bool(MULTI_FACTOR & {str(value).lower() for value in amr})


def _email_domain_allowed(email: str) -> bool:
    domains = {d.strip().lower() for d in settings.SHAREWISE_SSO_EMAIL_DOMAINS.split(",")}
    domains.discard("")
    return not domains or email.rsplit("@", 1)[-1].lower() in domains


def _first_match(request, issuer, subject, claims):
    """The member of staff someone signing in for the first time is, by an email
    their provider has verified, or by the claim the deployment trusts instead."""
    verified = claims.get("email_verified") in (True, "true")
    trusted = settings.SHAREWISE_SSO_TRUSTED_CLAIM
    if claims.get("email") and verified:
        email, how = str(claims["email"]), SingleSignOnIdentity.How.VERIFIED_EMAIL
    elif trusted and trusted != "email" and claims.get(trusted):
        email, how = str(claims[trusted]), SingleSignOnIdentity.How.TRUSTED_CLAIM
    elif claims.get("email"):
        raise Refused("the provider has not verified their email", subject=subject)
    else:
        raise Refused("not linked, and the provider gave no verified email", subject=subject)
    if not _email_domain_allowed(email):
        raise Refused(
            "their email's domain is not one this provider is trusted for", subject=subject
        )
    staff = get_user_model().objects.filter(email__iexact=email, memberships__isnull=False)
    candidates = list(staff.distinct()[:2])
    if len(candidates) != 1:
        reason = "no member of staff has that email" if not candidates else "several staff have it"
        raise Refused(reason, subject=subject)
    user = candidates[0]
    if not user.is_active:
        raise Refused("their Sharewise account is deactivated", subject=subject, user=user)
    if user.sso_identities.filter(issuer=issuer).exists():
        raise Refused(
            "their Sharewise account is linked to another identity at this provider",
            subject=subject,
            user=user,
        )
    try:
        with transaction.atomic():
            SingleSignOnIdentity.objects.create(user=user, issuer=issuer, subject=subject, how=how)
    except IntegrityError as clash:
        raise Refused("linked by someone else at the same moment", subject=subject) from clash
    trail.record(
        actor=user,
        action="linked single sign-on identity",
        object_type="staff member",
        object_id=user.pk,
        organisation_id=scope_for(user).organisation_id,
        address=trail.client_address(request),
        detail={"issuer": issuer, "subject": subject, "how": how.label},
    )
    # Whoever can set the account's email (an administrator) could otherwise sign in
    # as its owner: a match waits for approval like a link an administrator makes.
    roles.link_needs_approval(
        SingleSignOnIdentity.objects.get(issuer=issuer, subject=subject),
        scope_for(user).organisation_id,
    )
    raise Refused("matched, waiting for approval", WAITING, subject=subject, user=user)


def _organisation_of(user):
    """Also for a deactivated account, whose scope is empty."""
    if user is None:
        return None
    return (
        Membership.objects.filter(user=user)
        .order_by("organisation_id")
        .values_list("organisation_id", flat=True)
        .first()
    )


def _refuse(request, refusal: Refused):
    user = refusal.user
    trail.record(
        action="refused single sign-on",
        object_type="single sign-on identity",
        object_id=refusal.subject[:64],  # the whole subject is in the detail
        organisation_id=_organisation_of(user),
        address=trail.client_address(request),
        reason=refusal.reason[:300],
        detail={
            "issuer": settings.SHAREWISE_SSO_ISSUER,
            "subject": refusal.subject,
            **({"staff member": user.pk} if user else {}),
        },
    )
    request.session[PROBLEM] = refusal.message


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching staff by (issuer, subject) and never
    creating anyone. Settings are read when a sign-in happens, so the backend costs
    nothing (and needs no configuration) for password sign-ins."""

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    def authenticate(self, request, nonce=None, code_verifier=None):
        # Password sign-ins never reach here: Django only calls a backend whose
        # parameters fit the credentials, and this one takes no username.
        if request is None or nonce is None or not is_configured():
            return None
        try:
            found = provider()
            self.OIDC_OP_TOKEN_ENDPOINT = found.token_endpoint
            self.OIDC_OP_USER_ENDPOINT = found.userinfo_endpoint
            self.OIDC_OP_JWKS_ENDPOINT = found.jwks_uri
            self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
            self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
            self.OIDC_RP_SIGN_ALGO = "RS256"
            self.OIDC_RP_IDP_SIGN_KEY = None
            return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)
        except Refused as refusal:
            _refuse(request, refusal)
        except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException, KeyError) as e:
            logger.warning("single sign-on failed: %s", e)
            _refuse(request, Refused(f"not accepted: {e}", DID_NOT_WORK))
        return None

    def _verify_jws(self, payload, key):
        """The signature, and that the token was issued by our provider, for us, and
        has not expired."""
        if jwt.get_unverified_header(payload).get("alg") != "RS256":
            raise SuspiciousOperation("the ID token is not signed with RS256")
        claims = jwt.decode(
            payload,
            key,
            algorithms=["RS256"],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=settings.SHAREWISE_SSO_ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("the ID token was issued for another party")
        return claims

    def verify_claims(self, claims):
        return True  # what matters is checked when matching, below

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload["sub"]:
            raise Refused("the provider's userinfo is about someone else", DID_NOT_WORK)
        claims = {**userinfo, **payload}  # the signed ID token wins
        issuer = payload["iss"]
        subject = str(claims.get(settings.SHAREWISE_SSO_SUBJECT_CLAIM) or "")
        if not subject:
            raise Refused(f"no {settings.SHAREWISE_SSO_SUBJECT_CLAIM} claim")
        identity = (
            SingleSignOnIdentity.objects.select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if identity is None:
            user = _first_match(self.request, issuer, subject, claims)
        else:
            user = identity.user
            if not user.is_active:
                raise Refused("their Sharewise account is deactivated", subject=subject, user=user)
            if identity.approved_at is None:
                raise Refused("the link waits for approval", WAITING, subject=subject, user=user)
        SingleSignOnIdentity.objects.filter(user=user, issuer=issuer).update(
            last_signed_in_at=timezone.now()
        )
        user.single_sign_on = {
            "issuer": issuer,
            "subject": subject,
            "multi_factor": multi_factor(payload),
        }
        return user

    def get_user(self, user_id):
        # Django's own check: a deactivated account's sessions stop working at once.
        return ModelBackend.get_user(self, user_id)


class StartSingleSignOn(OIDCAuthenticationRequestView):
    """Sends the person to their provider, with state, nonce and a PKCE challenge."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        if not is_configured():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider().authorization_endpoint
        except (SuspiciousOperation, requests.RequestException, ValueError, KeyError) as e:
            logger.warning("single sign-on provider unavailable: %s", e)
            request.session[PROBLEM] = UNAVAILABLE
            return HttpResponseRedirect(reverse("login"))
        return super().get(request)


class FinishSingleSignOn(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back: signs them in, or says why not."""

    def get(self, request):
        if not is_configured():
            raise Http404
        # RFC 9207: an answer naming another issuer is a mix-up, refused at once.
        issuer = request.GET.get("iss")
        if issuer is not None and issuer != settings.SHAREWISE_SSO_ISSUER:
            _refuse(request, Refused(f"the answer came from {issuer}", DID_NOT_WORK))
            return self.login_failure()
        if request.GET.get("error"):
            _refuse(
                request, Refused(f"the provider said {request.GET['error'][:100]}", DID_NOT_WORK)
            )
        try:
            return super().get(request)
        except SuspiciousOperation as e:  # a state this browser never started
            _refuse(request, Refused(str(e), DID_NOT_WORK))
            return self.login_failure()

    def login_failure(self):
        if PROBLEM not in self.request.session:
            self.request.session[PROBLEM] = DID_NOT_WORK
        return HttpResponseRedirect(reverse("login"))

    def login_success(self):
        response = super().login_success()
        session, user = self.request.session, self.user
        details = user.single_sign_on
        if details["multi_factor"]:
            session["second_factor_at"] = datetime.now(UTC).isoformat()
            session["second_factor_via"] = "single sign-on"
        trail.record_request(
            self.request,
            "signed in",
            object_type="staff member",
            object_id=user.pk,
            organisation_id=scope_for(user).organisation_id,
            detail={
                "via": "single sign-on",
                "issuer": details["issuer"],
                "subject": details["subject"],
                "second factor": details["multi_factor"],
            },
        )
        return response
