"""Sarah rang the police about the money taken from Alice, under her decision to
share: she records what she told them from the decision's page, the police's
agreement covers it, and it shows in what has been shared about Alice and in her
chronology. Then she records the police's acknowledgement."""

import pytest
from playwright.sync_api import expect

from sharewise.disclosures.models import Disclosure
from sharewise.disclosures.tests.test_referrals import example_3
from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_the_lead_records_what_she_told_the_police_by_phone(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    decision = example_3(cast)
    base = live_server.url

    sign_in(page, live_server, cast.sarah)
    page.goto(f"{base}/sharing-decisions/{decision.pk}/")
    page.get_by_role("link", name="Record what you told someone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record what you told someone")
    page.get_by_label("Who was told, from the partner directory").select_option(
        label="Northshire Police, Public protection unit"
    )
    page.get_by_label("Phone").check()
    page.get_by_label("Purpose").select_option("crime")
    page.get_by_label("What was told").fill(
        "Her nephew has taken £200 from her purse; a resident saw him take it."
    )
    assert_accessible(page, "record-told")
    screenshot(page, "record-told")
    page.get_by_role("button", name="Record what I told them").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Told Northshire Police")
    main = page.locator("main")
    expect(main).to_contain_text("Information sharing with Northshire Police")
    expect(main).to_contain_text("Not acknowledged yet")
    expect(main).not_to_contain_text("Download the PDF")
    told = Disclosure.objects.get()
    assert told.kind == "told" and told.agreement.partner_organisation == "Northshire Police"
    screenshot(page, "told-disclosure")
    assert_accessible(page, "told-disclosure")

    page.get_by_role("link", name="Record the acknowledgement").click()
    page.get_by_label("Who acknowledged it at the partner").fill("PC Jones, public protection")
    page.get_by_label("Their reference").fill("NP-2026-88")
    page.get_by_role("button", name="Record it").click()
    expect(main).to_contain_text("by PC Jones, public protection, their reference NP-2026-88")

    page.goto(f"{base}/people/{cast.alice.pk}/disclosures/")
    expect(page.locator("main")).to_contain_text(
        "Told Northshire Police, Public protection unit, by phone"
    )
