"""Sarah, the safeguarding lead, signs in with her password and a second factor: the
code from her authenticator app, a passkey (Chromium's virtual authenticator), or a
recovery code that works once. Before she has any, she is sent to set one up."""

import re

import pytest
from playwright.sync_api import expect

from conftest import authenticator_app, authenticator_code
from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def password_step(page, live_server, user, password):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    page.get_by_role("button", name=re.compile("^Sign out")).first.click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))


def virtual_authenticator(page):
    """A passkey authenticator built into this page's browser, user verified."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp


def test_a_lead_signs_in_with_the_code_from_her_authenticator_app(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    device = authenticator_app(cast.sarah)
    password_step(page, live_server, cast.sarah, cast.password)
    expect(page).to_have_url(re.compile(r"/sign-in/second-factor/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Prove it's you")
    assert_accessible(page, "second-factor-sign-in")

    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("That code is not right")
    screenshot(page, "second-factor-wrong-code")

    page.wait_for_timeout(1100)  # a wrong code makes the next one wait a second
    page.get_by_label("Code from your authenticator app").fill(authenticator_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My people")
    page.get_by_role("link", name="Sign-in and security").click()
    expect(page.locator("main")).to_contain_text(
        "This time you signed in with your authenticator app"
    )
    assert_accessible(page, "sign-in-and-security")


def test_an_unenrolled_lead_is_sent_to_set_up_an_app_and_gets_ten_recovery_codes(
    page, live_server, transactional_cast, sign_in
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    cast = transactional_cast
    sign_in(page, live_server, cast.sarah, second_factor=False)
    expect(page).to_have_url(re.compile(r"/account/security/$"))
    expect(page.locator(".nhsuk-warning-callout")).to_contain_text(
        "Set up a second factor to carry on"
    )
    screenshot(page, "set-up-a-second-factor")
    # Nothing else opens meanwhile.
    page.goto(f"{live_server.url}/people/{cast.alice.pk}/")
    expect(page).to_have_url(re.compile(r"/account/security/$"))

    page.get_by_role("link", name="Add an authenticator app").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    key = page.locator("#secret-key").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key)
    assert_accessible(page, "add-an-authenticator-app")
    from base64 import b32decode

    unsaved = TOTPDevice(key=b32decode(key.replace(" ", "")).hex())
    page.get_by_label("Code from your authenticator app").fill(
        authenticator_code(unsaved, allow_again=False)
    )
    page.get_by_label("Name for this app").fill("Work phone")
    page.get_by_role("button", name="Add authenticator app").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page, "recovery-codes-shown-once")
    page.get_by_role("link", name="Continue to Sharewise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My people")


def test_a_recovery_code_works_once_and_is_refused_the_second_time(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    sign_in(page, live_server, cast.sarah)
    page.goto(f"{live_server.url}/account/security/recovery-codes/")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    sign_out(page)

    for attempt in ("first", "second"):
        password_step(page, live_server, cast.sarah, cast.password)
        page.get_by_text("Use a recovery code instead").click()
        page.get_by_label("Recovery code").fill(codes[3])
        page.get_by_role("button", name="Use recovery code").click()
        if attempt == "first":
            expect(page.get_by_role("heading", level=1)).to_have_text("My people")
            sign_out(page)
        else:
            expect(page.locator(".nhsuk-error-summary")).to_contain_text(
                "That recovery code is not right, or it has been used"
            )
            expect(page).to_have_url(re.compile(r"/sign-in/second-factor/"))
            assert_accessible(page, "recovery-code-used-twice")


def test_a_lead_registers_a_passkey_then_signs_in_with_it(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    virtual_authenticator(page)
    sign_in(page, live_server, cast.sarah)
    page.goto(f"{live_server.url}/account/security/")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes", timeout=10_000)
    page.goto(f"{live_server.url}/account/security/")
    expect(page.get_by_role("table")).to_contain_text("(passkey)")
    screenshot(page, "passkey-added")
    sign_out(page)

    password_step(page, live_server, cast.sarah, cast.password)
    expect(page).to_have_url(re.compile(r"/sign-in/second-factor/"))
    # The browser's passkey ceremony is two requests and a redirect: on a loaded machine
    # it can outlast one wait. Unless the page said it failed, press again, as anyone would.
    heading = page.get_by_role("heading", level=1)
    page.get_by_role("button", name="Use your passkey").click()
    try:
        expect(heading).to_have_text("My people", timeout=15_000)
    except AssertionError:
        said = " ".join(page.locator("#passkey-verification-status-message").all_inner_texts())
        assert "fail" not in said.lower(), said
        page.get_by_role("button", name="Use your passkey").click()
        expect(heading).to_have_text("My people", timeout=15_000)
    page.get_by_role("link", name="Sign-in and security").click()
    expect(page.locator("main")).to_contain_text("This time you signed in with your passkey")
    assert not page.problems, page.problems


def test_break_glass_after_step_up_minutes_asks_again_and_keeps_the_reason(
    page, live_server, transactional_cast, sign_in
):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    cast = transactional_cast
    device = authenticator_app(cast.helen)  # Helen chose to have one
    sign_in(page, live_server, cast.helen)
    expect(page.get_by_role("heading", level=1)).to_have_text("My people")
    # Twenty minutes pass since she proved it.
    for session in Session.objects.all():
        data = session.get_decoded()
        if "second_factor_at" in data:
            data["second_factor_at"] = (timezone.now() - timedelta(minutes=20)).isoformat()
            Session.objects.save(session.session_key, data, session.expire_date)

    page.goto(f"{live_server.url}/people/{cast.carol.pk}/")
    page.get_by_text("I need this record now").click()
    why = "Carol's daughter rang about a fall; her own team is not answering"
    page.get_by_label("Why do you need this record now?").fill(why)
    page.get_by_role("button", name="Open the record with break-glass").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    expect(page.locator("main")).to_contain_text("To open a record with break-glass")
    assert_accessible(page, "confirm-it-is-you")
    page.get_by_label("Code from your authenticator app").fill(authenticator_code(device))
    page.get_by_role("button", name="Continue").click()
    screenshot(page, "confirmed-continue")
    page.get_by_role("button", name="Continue: open a record with break-glass").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Carol Hughes")
    expect(page.locator(".sw-banner-breakglass")).to_contain_text(why)
