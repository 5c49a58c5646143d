"""The seed's Example 3, by browser: Sarah builds the council referral from her
decision to share. The care record is left out, other people's names are taken out;
she picks the council from the partner directory, fills in what only she can say,
previews it and sends it by secure email through a mail server (a local one), and
sees what the server said. David, the data protection officer, finds it in the
disclosure log; Alice's page lists it. A referral to the children's MASH goes by its
portal: it is not sent until Sarah confirms she submitted it."""

import hashlib

import pytest
from playwright.sync_api import expect

from sharewise.disclosures.models import Disclosure, Referral
from sharewise.disclosures.tests.smtp_sink import smtp_sink
from sharewise.disclosures.tests.test_referrals import example_3
from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_the_lead_builds_previews_and_sends_a_minimum_referral(
    page, live_server, transactional_cast, sign_in, settings
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

    page.get_by_label("Partner").select_option(
        label="Northshire County Council, Adult safeguarding team (secure email)"
    )
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
    expect(page.locator("main")).to_contain_text(
        "Sharewise emails this PDF to adults@northshire.example"
    )
    screenshot(page, "referral-preview")
    assert_accessible(page, "referral-preview")

    # The mail server refuses the address first: nothing is sent, and she is told why.
    with smtp_sink(settings, refuse="550 5.1.1 Mailbox unavailable") as refusing:
        page.get_by_role("button", name="Send this referral by secure email").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Not sent: the email did not go")
    expect(page.locator("main")).to_contain_text("550 5.1.1 Mailbox unavailable")
    assert refusing.received == [] and not Disclosure.objects.exists()
    screenshot(page, "referral-email-refused")
    assert_accessible(page, "referral-email-refused")

    with smtp_sink(settings) as sink:
        page.get_by_role("button", name="Try sending again").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Sent to Northshire County Council"
        )
    disclosure = Disclosure.objects.get()
    expect(page.locator("main")).to_contain_text(
        "The mail server accepted it for adults@northshire.example"
    )
    expect(page.locator("main")).to_contain_text(disclosure.sha256)
    [(_, recipients, message)] = sink.received
    [pdf] = list(message.iter_attachments())
    assert recipients == ["adults@northshire.example"]
    assert hashlib.sha256(pdf.get_content()).hexdigest() == disclosure.sha256
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


def test_a_portal_referral_waits_for_the_lead_to_confirm_it_was_submitted(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    decision = example_3(cast)
    base = live_server.url
    sign_in(page, live_server, cast.sarah)
    page.goto(f"{base}/sharing-decisions/{decision.pk}/referrals/new/")
    page.get_by_role("button", name="Build the referral").click()
    page.get_by_label("Partner").select_option(
        label="Northshire Children's Services, MASH (online portal)"
    )
    page.get_by_role("textbox", name="Money or property involved").fill("£200 in cash")
    page.get_by_role("textbox", name="Is anyone at immediate risk?").fill("No")
    page.get_by_label("(a) has needs for care and support").check()
    page.get_by_role("button", name="Save and preview").click()
    page.get_by_role("button", name="Make it final, then submit it on the portal").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Not sent yet: submit it on the portal"
    )
    expect(page.get_by_role("link", name="Download this PDF")).to_be_visible()
    expect(page.locator("main")).to_contain_text("https://mash.northshire.example/refer")
    screenshot(page, "referral-confirm-submitted")
    assert_accessible(page, "referral-confirm-submitted")
    page.goto(f"{base}/people/{cast.alice.pk}/disclosures/")
    expect(page.locator("main")).to_contain_text("Nothing has been shared about Alice Moore")

    referral = Referral.objects.get()
    page.goto(f"{base}/referrals/{referral.pk}/delivery/")
    page.get_by_label("Reference they gave").fill("MASH-2026-0042")
    page.get_by_role("button", name="Confirm it was submitted").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sent to Northshire Children's Services"
    )
    expect(page.locator("main")).to_contain_text("reference MASH-2026-0042")
    page.goto(f"{base}/people/{cast.alice.pk}/disclosures/")
    expect(page.locator("main")).to_contain_text("To Northshire Children's Services")
    assert page.problems == []
