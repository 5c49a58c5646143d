"""Sign-in, lockout, sessions and the production settings."""

import subprocess
import sys

from django.conf import settings
from django.test import Client

from sharewise.audittrail.models import Entry


def sign_in(client, username, password):
    return client.post("/sign-in/", {"username": username, "password": password})


def test_staff_sign_in_with_their_password(cast):
    client = Client()
    response = sign_in(client, "nia", cast.password)
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert b"Alice Moore" in client.get("/people/").content


def test_a_wrong_password_says_so_without_saying_which_part(cast):
    response = sign_in(Client(), "nia", "wrong")
    assert b"Your username or password is not right" in response.content


def test_five_failures_lock_the_account_even_with_the_right_password(cast):
    client = Client()
    for _ in range(5):
        sign_in(client, "nia", "wrong password")
    response = sign_in(client, "nia", cast.password)
    assert response.status_code == 429
    assert b"Your account is locked" in response.content
    assert sign_in(Client(), "tom", cast.password).status_code == 302


def test_passwords_are_hashed_with_argon2(cast):
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert cast.nia.password.startswith("argon2")


def test_pages_need_signing_in_and_forms_need_csrf(cast):
    assert Client().get("/people/")["Location"].startswith("/sign-in/")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.nia)
    response = strict.post(
        f"/people/{cast.bob.pk}/break-glass/", {"reason": "without a CSRF token"}
    )
    assert response.status_code == 403


def test_responses_carry_a_content_security_policy(cast, as_user):
    policy = as_user(cast.nia).get("/people/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_production_settings_pass_the_deployment_checks():
    env = {
        "DJANGO_SETTINGS_MODULE": "sharewise.settings_production",
        "SECRET_KEY": "x" * 60 + "production-like-secret",
        "ALLOWED_HOSTS": "sharewise.example.org",
        "SHAREWISE_TRAIL_KEY_FILE": "/run/secrets/sharewise-trail-key",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_api_tokens_are_made_and_revoked_in_the_browser(cast, as_user):
    client = as_user(cast.sarah)
    created = client.post(
        "/account/api-tokens/", {"name": "Monthly report", "days": 30, "password": cast.password}
    )
    secret = created.content.decode().split('id="new-token">')[1].split("<")[0]
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    assert secret not in client.get("/account/api-tokens/").content.decode()
    token = cast.sarah.api_tokens.get()
    client.post(f"/account/api-tokens/{token.pk}/revoke/")
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert Entry.objects.filter(actor="sarah", action="revoked API token").exists()
