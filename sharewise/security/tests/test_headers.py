"""What every answer tells the browser, under production's security settings: a policy
that forbids inline code, HSTS, no framing, no referrer beyond the site, no sniffing,
cookies only over HTTPS and never stored pages."""

import re
import runpy
from pathlib import Path

import pytest

from conftest import CAST_PASSWORD

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Documents rendered into PDFs (WeasyPrint): never served as pages under the CSP.
DOCUMENTS = {
    "disclosures/document.html",
    "governance/evidence_document.html",
    "retention/certificate.html",
    "rights/export_document.html",
}


@pytest.fixture
def production(settings, monkeypatch, tmp_path):
    """This test's settings take production's values for every security setting."""
    key = tmp_path / "trail.key"
    key.write_text("0123456789abcdef" * 3)
    monkeypatch.setenv("SECRET_KEY", "k3y-" + "x1Y2z3W4v5" * 6)
    monkeypatch.setenv("ALLOWED_HOSTS", "testserver")
    monkeypatch.setenv("SHAREWISE_TRAIL_KEY_FILE", str(key))
    values = runpy.run_module("sharewise.settings_production")
    for name, value in values.items():
        if name.startswith(("SECURE_", "SESSION_", "CSRF_COOKIE_", "CONTENT_SECURITY")) or name in (
            "X_FRAME_OPTIONS",
        ):
            setattr(settings, name, value)
    return settings


def csp_of(response):
    return dict(
        (part.split()[0], part.split()[1:])
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    )


def test_the_sign_in_page_carries_every_protective_header(production, client):
    response = client.get("/sign-in/", secure=True)
    assert response.status_code == 200

    policy = csp_of(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_cookies_go_only_over_https_out_of_reach_of_scripts(production, client, cast):
    page = client.get("/sign-in/", secure=True)
    csrf = page.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    assert csrf["path"] == "/" and not csrf["domain"]

    signed_in = client.post(
        "/sign-in/",
        {"username": cast.nia.username, "password": CAST_PASSWORD},
        secure=True,
    )
    assert signed_in.status_code == 302
    session = signed_in.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_plain_http_is_sent_to_https_except_the_load_balancers_health_check(production, client, db):
    response = client.get("/sign-in/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/sign-in/"
    assert client.get("/healthz").status_code == 200


def test_pages_and_api_answers_about_people_are_never_stored(cast, as_user, api):
    page = as_user(cast.nia).get(f"/people/{cast.alice.pk}/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]

    answer = api(cast.sarah).get(f"/api/v1/people/{cast.alice.pk}")
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]


def test_static_files_keep_their_caching(client):
    response = client.get("/static/js/sharewise.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Permissions-Policy" not in response


def test_no_template_carries_inline_scripts_styles_or_handlers():
    """The CSP forbids them; a page that relied on one would silently break."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=\"|\son[a-z]+=\"", re.I)
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        if str(path.relative_to(TEMPLATES)) not in DOCUMENTS
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if inline.search(line)
    ]
    assert found == []
