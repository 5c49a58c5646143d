"""Alice asks for everything held about her. Sarah, the safeguarding lead, logs the
request from Alice's page, records how she knows it is Alice and prepares the response;
David, the data protection officer, reads what will be sent (other people's names
taken out, each with its reason), approves it and sends it by letter."""

import pytest
from playwright.sync_api import expect

from conftest import record_concern
from sharewise.disclosures.models import Disclosure
from sharewise.rights.exporting import sha256
from sharewise.rights.models import SubjectAccessRequest
from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_the_lead_logs_and_prepares_and_the_officer_approves_and_sends(
    page, browser, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    record_concern(cast, facts="Bob Evans took Alice's cardigan; Mrs Hughes saw it.")
    base = live_server.url

    sign_in(page, live_server, cast.sarah)
    page.goto(f"{base}/people/{cast.alice.pk}/")
    page.get_by_role("link", name="Subject access requests").click()
    page.get_by_role("link", name="Log a subject access request").click()
    page.get_by_role("button", name="Log the request").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the name of who asked")
    page.get_by_label("The person themselves").check()
    page.get_by_label("Name of who asked").fill("Alice Moore")
    page.get_by_label("Where to send the response").fill("Room 4, Rose House")
    page.locator("#id_received_on_0").fill(str(cast.today.day))
    page.locator("#id_received_on_1").fill(str(cast.today.month))
    page.locator("#id_received_on_2").fill(str(cast.today.year))
    page.get_by_role("button", name="Log the request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Subject access request")
    expect(page.get_by_text("Not verified yet")).to_be_visible()
    page.get_by_label("How their identity was verified").fill("Known to staff, seen in person")
    page.get_by_role("button", name="Record the identity check").click()
    page.get_by_role("button", name="Prepare the response").click()
    expect(page.get_by_text("Waiting for the data protection officer")).to_be_visible()
    expect(page.get_by_role("button", name="Approve the response")).to_have_count(0)

    officer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    david = officer.new_page()
    sign_in(david, live_server, cast.david)
    david.goto(f"{base}/subject-access/")
    david.get_by_role("link", name="Alice Moore").click()
    david.get_by_role("link", name="See what will be sent").click()
    expect(david.locator("pre")).to_contain_text("[another person]")
    expect(david.locator("pre")).not_to_contain_text("Bob Evans")
    expect(david.locator("table")).to_contain_text("The name of another person we support")
    assert_accessible(david, "subject-access-preview")
    david.get_by_role("link", name="Back to the request").click()
    david.get_by_role("button", name="Approve the response").click()
    david.get_by_label("Letter").check()
    david.get_by_role("button", name="Send the response").click()
    expect(david.get_by_text("Sent on")).to_be_visible()
    screenshot(david, "subject-access-sent")
    assert_accessible(david)
    officer.close()

    sar = SubjectAccessRequest.objects.get(person=cast.alice)
    disclosure = Disclosure.objects.get(pk=sar.disclosure_id)
    assert disclosure.sha256 == sha256(bytes(disclosure.pdf)) == sar.export_sha256
