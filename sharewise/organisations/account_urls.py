from django.contrib.auth import views as auth_views
from django.urls import include, path

from sharewise.organisations import account_views as account

urlpatterns = [
    path("sign-in/second-factor/", account.prove_second_factor, name="second_factor"),
    path("account/confirm/", account.confirm_identity, name="confirm_identity"),
    path("account/security/", account.security, name="security"),
    path(
        "account/security/authenticator-app/",
        account.add_authenticator_app,
        name="add_authenticator_app",
    ),
    path("account/security/recovery-codes/", account.recovery_codes, name="recovery_codes"),
    path(
        "account/security/<slug:kind>/<int:device_id>/remove/",
        account.remove_factor,
        name="remove_factor",
    ),
    path("account/passkeys/", include("django_otp_webauthn.urls")),
    path("account/password/", account.change_password, name="change_password"),
    path("password-reset/", account.PasswordResetRequest.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="account/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        account.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="account/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
