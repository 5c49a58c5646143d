"""The seed's Example 3, by browser: Sarah builds the council referral from her
decision to share. The care record is left out, other people's names are taken out;
she fills in what only she can say, previews it and sends it. David, the data
protection officer, finds it in the disclosure log; Alice's page lists it."""

import pytest
from playwright.sync_api import expect

from sharewise.disclosures.models import Disclosure
from sharewise.disclosures.tests.test_referrals import example_3
from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_the_lead_builds_previews_and_sends_a_minimum_referral(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    decision = example_3(cast)
    base = live_server.url

    sign_in(page, live_server, cast.sarah)
    page.goto(f"{base}/sharing-decisions/{decision.pk}/")
    page.get_by_role("link", name="Build a referral").click()
    page.get_by_label("Local authority adult safeguarding (section 42 concern)").check()
    page.get_by_role("button", name="Build the referral").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Local authority adult")

    left_out = page.locator("dl").filter(has_text="Medication").last
    expect(left_out).to_contain_text("Not needed for a referral about financial")
    what = page.locator("#field-what_happened .sw-preserve")
    expect(what).to_contain_text("[another person we support] saw him take it")
    expect(what).not_to_contain_text("Bob Evans")
    # The sender sees what was taken out, and may put a name back with a reason.
    expect(page.locator("#field-what_happened")).to_contain_text("“Bob Evans” shows as")
    assert_accessible(page, "referral-builder")

    page.get_by_role("textbox", name="Money or property involved").fill(
        "£200 in cash from her purse"
    )
    page.get_by_role("textbox", name="Is anyone at immediate risk?").fill(
        "No: he is not visiting this week"
    )
    page.get_by_label("(a) has needs for care and support").check()
    page.get_by_label("(b) is experiencing, or is at risk of, abuse or neglect").check()
    page.get_by_role("button", name="Save and preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Preview: exactly what is sent")
    document = page.get_by_role("article", name="The referral as the recipient gets it")
    expect(document).to_contain_text("£200 in cash")
    expect(document).not_to_contain_text("Donepezil")
    expect(document).not_to_contain_text("Bob Evans")
    screenshot(page, "referral-preview")
    assert_accessible(page, "referral-preview")
    page.get_by_role("button", name="Send this referral").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sent to Northshire County Council")
    disclosure = Disclosure.objects.get()
    expect(page.locator("main")).to_contain_text(disclosure.sha256)
    assert_accessible(page, "disclosure")

    page.context.clear_cookies()
    sign_in(page, live_server, cast.david)
    page.goto(f"{base}/disclosures/")
    row = page.get_by_role("row").filter(has_text="Alice Moore")
    expect(row).to_contain_text("Northshire County Council")
    assert_accessible(page, "disclosure-log")
    page.goto(f"{base}/people/{cast.alice.pk}/")
    page.get_by_role("link", name="What has been shared about Alice Moore").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What has been shared about Alice Moore"
    )
    expect(page.locator("main")).to_contain_text("Local authority adult safeguarding")
    assert page.problems == []
