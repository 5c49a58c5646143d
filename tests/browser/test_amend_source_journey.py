"""Sarah, the safeguarding lead, learns from Alice's daughter who hurt Alice: she
amends Helen's concern to name Nia, a care worker, as the alleged source. The concern
then vanishes from Nia's view, and the alert for a member of staff implicated waits
on Sarah's oversight."""

import pytest
from playwright.sync_api import expect

from conftest import record_concern

from .conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_sarah_names_nia_as_the_alleged_source_and_nia_no_longer_sees_it(
    page, browser, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    concern = record_concern(cast, by=cast.helen, days_ago=1, facts="Bruises on Alice's wrists.")

    sign_in(page, live_server, cast.sarah)
    page.goto(f"{live_server.url}/concerns/{concern.pk}/amend/")
    expect(page.get_by_role("heading", name="Alleged source of harm")).to_be_visible()
    staff = page.get_by_label("Which member of staff")
    expect(staff).to_be_hidden()  # shown once "A member of staff" is chosen
    page.get_by_label("A member of staff").check()
    expect(staff).to_be_visible()
    expect(page.get_by_text("They will not be able to see this concern.")).to_be_visible()
    options = staff.locator("option").all_inner_texts()
    assert "Nia Okafor" in options and "Olivia Grant" not in options
    staff.select_option(label="Nia Okafor")
    page.get_by_label("Why are you amending this concern").fill(
        "Alice's daughter says Alice named Nia"
    )
    screenshot(page, "amend concern naming the alleged source")
    assert_accessible(page, "amend concern naming the alleged source")
    page.get_by_role("button", name="Save amendment").click()

    expect(page.get_by_text("Amendment recorded. The original stays visible.")).to_be_visible()
    amendment = page.locator(".nhsuk-card").filter(has_text="Alice's daughter says")
    expect(amendment.locator("ins").filter(has_text="Nia Okafor")).to_be_visible()
    expect(amendment.locator("ins").filter(has_text="A member of staff")).to_be_visible()

    page.goto(f"{live_server.url}/oversight/")
    expect(page.get_by_text("Member of staff implicated").first).to_be_visible()

    # Nia, in her own browser, finds no such concern.
    context = browser.new_context(locale="en-GB")
    nia = context.new_page()
    sign_in(nia, live_server, cast.nia)
    nia.goto(f"{live_server.url}/concerns/{concern.pk}/")
    expect(nia.get_by_text("Bruises on Alice's wrists.")).to_have_count(0)
    nia.goto(f"{live_server.url}/people/{cast.alice.pk}/chronology/")
    expect(nia.get_by_text("Bruises on Alice's wrists.")).to_have_count(0)
    context.close()
