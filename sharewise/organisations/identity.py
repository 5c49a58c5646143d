"""What a signed-in member of staff must do before anything else: prove their second
factor, choose their own password in place of a temporary one, or set up a second
factor their role needs. Checked on every request, so a policy change or a reset
applies from the person's next click, not their next sign-in."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect

from sharewise.organisations import second_factor
from sharewise.organisations.models import TemporaryPassword

PROVE, CHANGE_PASSWORD, SET_UP = "prove", "change password", "set up"

# The pages each step allows (by URL name); signing out is always allowed.
PASSKEY_SIGN_IN = {
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}
PASSKEY_SET_UP = {
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:js-i18n-catalog",
}
ALLOWED = {
    PROVE: {"second_factor", "logout", *PASSKEY_SIGN_IN},
    CHANGE_PASSWORD: {"change_password", "logout"},
    SET_UP: {
        "security",
        "add_authenticator_app",
        "recovery_codes",
        "logout",
        *PASSKEY_SET_UP,
    },
}
WHERE = {PROVE: "second_factor", CHANGE_PASSWORD: "change_password", SET_UP: "security"}
SAYS = {
    PROVE: "Prove your second factor before you carry on: sign in at /sign-in/second-factor/.",
    CHANGE_PASSWORD: "Choose your own password before you carry on: /account/password/.",
    SET_UP: "Your role needs a second factor: set one up at /account/security/ first.",
}


# Facts that only this person can change within a session (adding a factor proves the
# session; a temporary password set by an administrator ends it), so each is looked up
# once per session rather than on every request.
NO_FACTOR, OWN_PASSWORD = "identity_no_factor", "identity_own_password"


def next_step(request) -> str | None:
    user, session = request.user, request.session
    if not user.is_authenticated:
        return None
    proven = bool(session.get(second_factor.AT))
    if not proven and not session.get(NO_FACTOR):
        if second_factor.has_any(user):
            return PROVE
        session[NO_FACTOR] = True
    if not session.get(OWN_PASSWORD):
        if TemporaryPassword.objects.filter(user=user).exists():
            return CHANGE_PASSWORD
        session[OWN_PASSWORD] = True
    # Someone who proved a factor this session had one; the policy may change at any
    # time, so the others are asked each time.
    if not proven and second_factor.required(user) and not second_factor.has_factor(user):
        return SET_UP
    return None


class IdentityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        step = request.identity_step = next_step(request)
        if step is None:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED[step]:
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"message": SAYS[step]}, status=403)
        response = redirect(WHERE[step])
        if request.method == "GET" and step != SET_UP:
            response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response
