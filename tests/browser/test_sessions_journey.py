"""Nia is signed in on two browsers, sees both, and signs the other one out; later, at
the end of a night shift, her session runs out while she types a concern about Alice,
and nothing she typed is lost."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from sharewise.policy import documents, store

from .conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_overflow,
    screenshot,
)

pytestmark = pytest.mark.browser

PHONE_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def h1(page):
    return page.get_by_role("heading", level=1)


def idle_for(page, minutes):
    """As if this browser had done nothing for `minutes`."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=key)
    session["last_active_at"] -= minutes * 60
    session.save()


def test_nia_signs_out_the_browser_she_left_signed_in(
    browser, page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    sign_in(page, live_server, cast.nia)
    phone_context = browser.new_context(viewport=PHONE, locale="en-GB", user_agent=PHONE_AGENT)
    phone_context.set_default_timeout(5_000)
    try:
        phone = phone_context.new_page()
        sign_in(phone, live_server, cast.nia)
        phone.goto(f"{live_server.url}/account/sessions/")
        expect(phone.locator("tbody tr")).to_have_count(2)
        assert_no_horizontal_overflow(phone)
        screenshot(phone, "sessions-on-a-phone")

        page.get_by_role("link", name="Sign-in and security").click()

        page.get_by_role("link", name="Where you are signed in").click()
        expect(h1(page)).to_have_text("Where you are signed in")
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.first).to_contain_text("This browser")
        expect(rows.nth(1)).to_contain_text("Safari on an iPhone")
        assert_accessible(page, "sessions-two-browsers")

        rows.nth(1).get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("alert")).to_contain_text("Signed out Safari on an iPhone")
        expect(page.locator("tbody tr")).to_have_count(1)
        screenshot(page, "sessions-other-signed-out")

        phone.goto(f"{live_server.url}/people/")
        expect(h1(phone)).to_have_text("Sign in to Sharewise")
        screenshot(phone, "sessions-phone-sent-to-sign-in")
    finally:
        phone_context.close()


def test_a_concern_typed_past_the_idle_limit_survives_signing_in_again(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    document = documents.default("access").model_dump(mode="json")
    document["sessions"].update(idle_minutes=5, idle_minutes_privileged=5)
    store.save_version(cast.org.pk, "access", document, cast.sarah)

    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, cast.nia)
    page.goto(f"{live_server.url}/people/{cast.alice.pk}/concerns/new/")
    expect(h1(page)).to_have_text("Record a safeguarding concern")
    page.get_by_label("Neglect and acts of omission").check()
    page.get_by_label("Time it happened").fill("05:40")
    facts = (
        "At twenty to six Alice was found sitting on the floor by her bed. She said she "
        "had rung twice in the night and nobody came."
    )
    page.get_by_label("What happened").fill(facts)

    # She is called away; by the time she presses the button the session has run out.
    idle_for(page, 6)
    page.get_by_role("button", name="Record concern").click()
    expect(h1(page)).to_have_text("Sign in to Sharewise")
    expect(page.get_by_role("region")).to_contain_text(
        "You were signed out after 5 minutes without activity"
    )
    expect(page.get_by_role("region")).to_contain_text("What you were sending has been kept")
    assert_accessible(page, "sessions-signed-out-draft-kept")

    page.get_by_label("Username").fill("nia")
    page.get_by_label("Password").fill(cast.password)
    page.get_by_role("button", name="Sign in").click()

    expect(h1(page)).to_have_text("Record a safeguarding concern")
    expect(page.get_by_role("region")).to_contain_text("What you had typed has been put back")
    expect(page.get_by_label("What happened")).to_have_value(facts)
    expect(page.get_by_label("Time it happened")).to_have_value("05:40")
    expect(page.get_by_label("Neglect and acts of omission")).to_be_checked()
    assert_accessible(page, "sessions-draft-restored")


def test_a_warning_comes_before_the_idle_limit_and_she_stays_signed_in(
    page, live_server, transactional_cast, sign_in
):
    sign_in(page, live_server, transactional_cast.nia)
    # As if her limit were two minutes and five seconds: the warning is due in five.
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=key)
    session["session_limits"] = [125, session["session_limits"][1]]
    session.save()
    page.goto(f"{live_server.url}/people/")
    warning = page.locator("#sw-idle-warning")
    expect(warning).to_contain_text("You will be signed out in 2 minutes", timeout=10_000)
    assert_accessible(page, "sessions-idle-warning")
    with page.expect_response("**/account/sessions/still-here/") as answer:
        warning.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 204
    expect(warning).to_be_hidden()


def test_a_token_needs_her_password_again(page, live_server, transactional_cast, sign_in):
    sign_in(page, live_server, transactional_cast.nia)
    page.get_by_role("link", name="Sign-in and security").click()
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name for the token").fill("Rota script")
    expect(page.get_by_label("Days until it expires")).to_have_value("30")
    page.get_by_label("Days until it expires").fill("120")
    page.get_by_role("button", name="Create token").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("lets tokens last up to 90 days")
    expect(summary).to_contain_text("Enter your password to create a token")
    assert_accessible(page, "api-token-needs-password")

    page.get_by_label("Days until it expires").fill("60")
    page.get_by_label("Your password").fill(transactional_cast.password)
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token")).to_contain_text("sw_")
    expect(page.locator("tbody tr").first).to_contain_text("Rota script")
    assert_accessible(page, "api-token-made")


def test_a_token_waits_for_a_recent_second_factor(page, live_server, transactional_cast, sign_in):
    from datetime import UTC, datetime, timedelta

    sign_in(page, live_server, transactional_cast.sarah)
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=key)
    session["second_factor_at"] = (datetime.now(UTC) - timedelta(minutes=40)).isoformat()
    session["second_factor_via"] = "authenticator app"
    session.save()
    page.get_by_role("link", name="Sign-in and security").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.locator(".nhsuk-warning-callout")).to_contain_text(
        "Confirm your second factor again before making a token"
    )
    assert_accessible(page, "api-token-second-factor-needed")
