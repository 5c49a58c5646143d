"""Pages about one's own account: proving a second factor at sign-in, confirming it is
you before a serious action, "Sign-in and security", and passwords."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from sharewise.audittrail import trail
from sharewise.organisations import second_factor, staffing, stepup
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import TemporaryPassword
from sharewise.organisations.signin import CONFIRMED_AT

TEXT = {"class": "nhsuk-input"}
SETUP_KEY = "authenticator_app_key"


def _next(request, default=None, only_address=False) -> str:
    target = "" if only_address else request.POST.get("next", "")
    target = target or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


def _record(request, action, **detail):
    trail.record_request(
        request,
        action,
        object_type="user",
        object_id=request.user.pk,
        organisation_id=scope_for(request.user).organisation_id,
        detail=detail,
    )


# Proving a second factor ---------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6 digits the app shows for Sharewise now",
        max_length=12,
        widget=forms.TextInput(
            attrs={
                **TEXT,
                "class": "nhsuk-input nhsuk-input--width-10",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(
        label="Recovery code",
        help_text="One of the ten codes you saved when you set up your second factor. Each works once.",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                **TEXT,
                "class": "nhsuk-input nhsuk-input--width-10",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "current-password"}),
    )


def _prove_forms(request):
    """Check whichever way of proving the person chose; returns (proven, forms)."""
    code_form, recovery_form = CodeForm(prefix="app"), RecoveryCodeForm(prefix="recovery")
    if request.method == "POST" and request.POST.get("via") == "app":
        code_form = CodeForm(request.POST, prefix="app")
        if code_form.is_valid():
            if second_factor.check_code(request, code_form.cleaned_data["code"]):
                return True, code_form, recovery_form
            code_form.add_error(
                "code",
                _wrong(
                    "That code is not right. Enter the 6 digits your app shows now; each code works once.",
                    request,
                ),
            )
    elif request.method == "POST" and request.POST.get("via") == "recovery":
        recovery_form = RecoveryCodeForm(request.POST, prefix="recovery")
        if recovery_form.is_valid():
            if second_factor.check_recovery_code(
                request, recovery_form.cleaned_data["recovery_code"]
            ):
                return True, code_form, recovery_form
            recovery_form.add_error(
                "recovery_code",
                _wrong(
                    "That recovery code is not right, or it has been used: each works once.",
                    request,
                ),
            )
    return False, code_form, recovery_form


def _wrong(message, request) -> str:
    wait = second_factor.seconds_to_wait(request.user)
    if wait > 1:
        return f"{message} After several wrong tries, wait {wait} seconds before the next."
    return message


def _factor_context(request, code_form, recovery_form, after):
    user = request.user
    return {
        "code_form": code_form,
        "recovery_form": recovery_form,
        "has_app": second_factor.authenticator_apps(user).exists(),
        "has_passkey": second_factor.passkeys(user).exists(),
        "has_recovery": second_factor.unused_recovery_codes(user) > 0,
        "after": after,
        "open_recovery": request.POST.get("via") == "recovery",
    }


@login_required
def prove_second_factor(request):
    """The second step of signing in, after the password."""
    after = _next(request)
    if request.session.get(second_factor.AT) or not second_factor.has_any(request.user):
        return redirect(after)  # nothing to prove, or nothing to prove it with
    proven, code_form, recovery_form = _prove_forms(request)
    if proven:
        return redirect(after)
    context = _factor_context(request, code_form, recovery_form, after)
    return render(request, "account/second_factor.html", context)


@login_required
def confirm_identity(request):
    """Confirm it's you: asked before the most serious actions when the last proof is
    older than the access policy's step_up_minutes."""
    # Where to go back to is in this page's address; its forms' "next" brings a passkey
    # back here.
    after = _next(request, only_address=True)
    path = after.split("?")[0]
    kept = stepup.kept_for(request, path)
    if stepup.is_recent(request) and request.method == "GET":
        if kept:
            return render(request, "account/continue.html", {"kept": kept})
        return redirect(after)
    here = f"{reverse('confirm_identity')}?{_query(after)}"
    uses_factor = stepup.uses_second_factor(request)
    password_form = PasswordConfirmForm(request.POST if "password" in request.POST else None)
    if uses_factor:
        proven, code_form, recovery_form = _prove_forms(request)
    else:
        proven, code_form, recovery_form = False, None, None
        if password_form.is_bound and password_form.is_valid():
            user = authenticate(
                request,
                username=request.user.get_username(),
                password=password_form.cleaned_data["password"],
            )
            if user is not None and user.pk == request.user.pk:
                request.session[CONFIRMED_AT] = timezone.now().astimezone(UTC).isoformat()
                _record(request, "confirmed password")
                proven = True
            else:
                password_form.add_error("password", "That is not your password.")
    if proven:
        return redirect(here)
    context = {
        **(_factor_context(request, code_form, recovery_form, here) if uses_factor else {}),
        "uses_factor": uses_factor,
        "password_form": password_form,
        "what": kept["what"] if kept else "",
        "minutes": stepup.minutes(request.user),
        "back": (kept and kept.get("back")) or (reverse("home") if kept else after),
    }
    return render(request, "account/confirm.html", context)


def _query(after):
    return urlencode({"next": after})


# Sign-in and security ------------------------------------------------------------------


@login_required
@require_safe
def security(request):
    user = request.user
    must_set_up = second_factor.required(user) and not second_factor.has_factor(user)
    temporary = TemporaryPassword.objects.filter(user=user).exists()
    return render(
        request,
        "account/security.html",
        {
            "apps": second_factor.authenticator_apps(user),
            "passkeys": second_factor.passkeys(user),
            "recovery_left": second_factor.unused_recovery_codes(user),
            "has_recovery": second_factor.recovery_codes(user) is not None,
            "required": second_factor.required(user),
            "must_set_up": must_set_up,
            "temporary_password": temporary,
            "proven_via": request.session.get(second_factor.VIA, ""),
        },
    )


class AuthenticatorAppForm(forms.Form):
    name = forms.CharField(
        label="Name for this app",
        help_text="So you can tell your devices apart, for example “Work phone”",
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off"}),
    )
    code = CodeForm.base_fields["code"]


def _qr_svg(address: str) -> str:
    image = qrcode.make(address, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # Sized by the stylesheet; labelled for screen readers, who use the key instead.
    svg = svg.replace(
        "<svg ",
        '<svg class="sw-qr" role="img" aria-label="QR code for your authenticator app" ',
        1,
    )
    return mark_safe(svg)  # noqa: S308 - made here by qrcode, nothing typed in it


@login_required
def add_authenticator_app(request):
    key = request.session.get(SETUP_KEY)
    if not key:
        key = request.session[SETUP_KEY] = second_factor.new_authenticator_key()
    form = AuthenticatorAppForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor.add_authenticator_app(
            request, key, form.cleaned_data["code"], form.cleaned_data["name"]
        )
        if device is not None:
            del request.session[SETUP_KEY]
            messages.success(request, f"Added {device.name}. Use it each time you sign in.")
            return redirect(_after_adding(request))
        form.add_error(
            "code",
            "That code is not right. Check the app shows Sharewise and enter the 6 digits "
            "it shows now.",
        )
    return render(
        request,
        "account/add_authenticator_app.html",
        {
            "form": form,
            "qr": _qr_svg(second_factor.setup_address(request.user, key)),
            "secret": second_factor.secret_words(key),
        },
    )


def _after_adding(request) -> str:
    if second_factor.recovery_codes(request.user) is None:
        return reverse("recovery_codes")
    return reverse("security")


@login_required
def recovery_codes(request):
    """New recovery codes, shown once: straight after the first factor is added, or
    when the person asks for new ones (the old ones stop working)."""
    user = request.user
    if not second_factor.has_factor(user):
        messages.warning(request, "Add an authenticator app or a passkey first.")
        return redirect("security")
    codes = None
    if request.method == "POST" or second_factor.recovery_codes(user) is None:
        codes = second_factor.new_recovery_codes(request)
    return render(
        request,
        "account/recovery_codes.html",
        {"codes": codes, "left": second_factor.unused_recovery_codes(user)},
    )


FACTORS = {"authenticator-app": TOTPDevice, "passkey": WebAuthnCredential}


@login_required
@require_POST
@stepup.confirm_it_is_you("remove a second factor")
def remove_factor(request, kind, device_id):
    model = FACTORS.get(kind)
    device = model and model.objects.filter(pk=device_id, user=request.user).first()
    if device is None:
        raise Http404("No such second factor")
    try:
        second_factor.remove(request, device)
    except ValidationError as error:
        messages.warning(request, error.messages[0])
    else:
        messages.success(request, f"Removed {device.name or second_factor.describe(device)}.")
    return redirect("security")


# Passwords -----------------------------------------------------------------------------


class _NhsPasswords:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "nhsuk-input"


class ChangePasswordForm(_NhsPasswords, PasswordChangeForm):
    pass


class NewPasswordForm(_NhsPasswords, SetPasswordForm):
    pass


@login_required
def change_password(request):
    """Old password and a new one, checked by every password validator. Other
    sessions of this person end (their stored password changed); this one carries on."""
    temporary = TemporaryPassword.objects.filter(user=request.user).exists()
    form = ChangePasswordForm(request.user, request.POST or None)
    if temporary:
        form.fields["old_password"].label = "Temporary password you were given"
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        TemporaryPassword.objects.filter(user=request.user).delete()
        _record(request, "changed password", was_temporary=temporary)
        messages.success(request, "Your password is changed. You were signed out everywhere else.")
        return redirect(_next(request, "security"))
    return render(
        request,
        "account/change_password.html",
        {"form": form, "temporary": temporary, "next": request.GET.get("next", "")},
    )


class ResetForm(PasswordResetForm):
    def get_users(self, email):
        # Never to an address an administrator set in the last three days: it could be
        # theirs (staffing.EMAIL_SETTLES).
        return (u for u in super().get_users(email) if not staffing.email_recently_changed(u))


class PasswordResetRequest(auth_views.PasswordResetView):
    """Reset by emailed link. The email names nobody and holds only the link, which
    works once and for PASSWORD_RESET_TIMEOUT (30 minutes)."""

    template_name = "account/password_reset.html"
    form_class = ResetForm
    email_template_name = "account/password_reset_email.txt"
    subject_template_name = "account/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["email"].widget.attrs["class"] = "nhsuk-input"
        form.fields["email"].label = "Your work email address"
        return form

    def form_valid(self, form):
        trail.record_request(self.request, "asked for a password reset link", object_type="user")
        return super().form_valid(form)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "account/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        TemporaryPassword.objects.filter(user=form.user).delete()
        trail.record(
            actor=form.user,
            action="reset password by email link",
            object_type="user",
            object_id=form.user.pk,
            organisation_id=scope_for(form.user).organisation_id,
            address=trail.client_address(self.request),
        )
        return response
