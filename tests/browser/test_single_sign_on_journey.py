"""Owen, the administrator, links Sarah's account to her identity at Oakleigh's own
provider and David, the data protection officer, approves the link; Sarah then signs in with the button on the sign-in page, at the provider's
page, and lands in Sharewise as herself. Someone the provider knows but Sharewise does
not is turned away on the sign-in page, with what to do."""

import re

import pytest
from playwright.sync_api import expect

from sharewise.audittrail.models import Entry
from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_sarah_signs_in_with_her_organisations_account(
    page, live_server, transactional_cast, sign_in, with_single_sign_on
):
    cast = transactional_cast

    # Owen links Sarah's identity on her staff page.
    sign_in(page, live_server, cast.owen)
    page.goto(f"{live_server.url}/organisation/staff/{cast.sarah.pk}/")
    expect(page.get_by_role("heading", name="Single sign-on identity")).to_be_visible()
    page.get_by_label("Their identifier at your identity provider").fill("entra-sarah-0001")
    page.get_by_role("button", name="Save single sign-on identity").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Single sign-on identity saved"
    )
    expect(page.locator("main")).to_contain_text("set by an administrator (Owen Price)")
    assert_accessible(page, "single sign-on identity on a staff page")
    page.get_by_role("button", name="Sign out").click()

    # David, the data protection officer, approves the link: until then it signs
    # nobody in.
    sign_in(page, live_server, cast.david)
    page.goto(f"{live_server.url}/organisation/role-requests/")
    expect(page.locator("main")).to_contain_text("entra-sarah-0001")
    assert_accessible(page, "single sign-on link waiting for approval")
    page.get_by_role("button", name="Approve the single sign-on link for Sarah Whitfield").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Sarah Whitfield can sign in with their organisation's account"
    )
    page.get_by_role("button", name="Sign out").click()

    # Sarah chooses her organisation's account on the sign-in page.
    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    button = page.get_by_role("button", name="Sign in with Oakleigh Care Group")
    expect(button).to_be_visible()
    assert_accessible(page, "sign-in page with single sign-on")
    button.click()

    # At the provider's own page she signs in; it sends her back.
    expect(page).to_have_url(re.compile(re.escape(with_single_sign_on.issuer) + "/interaction/"))
    screenshot(page, "single sign-on at the provider")
    page.get_by_label("Account").fill("entra-sarah-0001")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile("^" + re.escape(live_server.url)))
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Sarah Whitfield")
    screenshot(page, "single sign-on lands sarah in sharewise")
    signed_in = Entry.objects.get(action="signed in", detail__via="single sign-on")
    assert signed_in.actor == "sarah" and signed_in.detail["via"] == "single sign-on"
    assert signed_in.detail["second factor"] is True


def test_someone_sharewise_does_not_know_is_turned_away(
    page, live_server, transactional_cast, with_single_sign_on
):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_role("button", name="Sign in with Oakleigh Care Group").click()
    page.get_by_label("Account").fill("entra-stranger-0004")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text(
        "Your organisation's account is not linked to a Sharewise account: "
        "ask your administrator to add you."
    )
    expect(page).to_have_title(re.compile("^Error: Sign in"))
    assert_accessible(page, "single sign-on refused on the sign-in page")
    assert Entry.objects.filter(action="refused single sign-on").count() == 1
