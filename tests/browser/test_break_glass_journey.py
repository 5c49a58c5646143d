"""The issue's "done when" journey: Nia, a night-team care worker, sees only her own
team's people; she cannot see Bob on the day team until she gives a proper reason to
break the glass; then Sarah, the safeguarding lead, sees and reviews that access."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_nia_breaks_the_glass_and_sarah_reviews_it(page, live_server, transactional_cast, sign_in):
    cast = transactional_cast
    bob_url = f"{live_server.url}/people/{cast.bob.pk}/"

    # Nia lands on My people and sees her own team's people only.
    sign_in(page, live_server, cast.nia)
    expect(page.get_by_role("heading", level=1)).to_have_text("My people")
    people = page.get_by_role("table")
    expect(people.get_by_role("link", name="Alice Moore")).to_be_visible()
    expect(people).not_to_contain_text("Bob Evans")
    expect(people).not_to_contain_text("Zara Quinn")
    expect(page.get_by_role("link", name="Break-glass review")).to_have_count(0)

    # Bob's record, opened by its address, is simply not found.
    response = page.goto(bob_url)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Record not found")
    expect(page.locator("main")).not_to_contain_text("Bob")

    # A thin reason is refused with a message saying what to do.
    page.get_by_text("I need this record now").click()
    reason = page.get_by_label("Why do you need this record now?")
    reason.fill("need it")
    page.get_by_role("button", name="Open the record with break-glass").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".nhsuk-error-message")).to_contain_text(
        "Give a reason of at least 10 characters"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Record not found")

    # A proper reason opens Bob's record, with the break-glass banner on it.
    why = "Covering the day team tonight: Bob has fallen and I need his contacts"
    page.get_by_label("Why do you need this record now?").fill(why)
    page.get_by_role("button", name="Open the record with break-glass").click()
    expect(page).to_have_url(bob_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bob Evans")
    banner = page.locator(".sw-banner-breakglass")
    expect(banner).to_contain_text("You are using break-glass access")
    expect(banner).to_contain_text(why)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))

    # Sarah, the safeguarding lead, finds Nia's access waiting for review.
    sign_in(page, live_server, cast.sarah)
    page.get_by_role("link", name="Break-glass review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Break-glass review")
    row = page.get_by_role("row").filter(has_text="Nia Okafor")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Bob Evans")
    expect(row).to_contain_text(why)
    expect(row).to_contain_text("Not reviewed")

    # On Bob's record she sees Nia in who has looked, tagged break-glass.
    row.get_by_role("link", name="Bob Evans").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bob Evans")
    expect(page.locator(".sw-banner-breakglass")).to_have_count(0)
    looked = page.get_by_role("table", name="Who has looked at this record")
    nia_rows = looked.get_by_role("row").filter(has_text="Nia Okafor")
    expect(nia_rows.filter(has_text="Break-glass").first).to_be_visible()
    expect(nia_rows.filter(has_text=why).first).to_be_visible()

    # She marks it reviewed, and it leaves the not-reviewed list.
    page.go_back()
    row = page.get_by_role("row").filter(has_text="Nia Okafor")
    row.get_by_label("Review note (optional)").fill("Appropriate: covering the day team")
    row.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_text("Marked Nia Okafor opening Bob Evans as reviewed.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Nia Okafor")).to_have_count(0)
    expect(page.get_by_text("Nothing is waiting for review.")).to_be_visible()

    page.get_by_role("link", name="Reviewed", exact=True).click()
    reviewed = page.get_by_role("row").filter(has_text="Nia Okafor")
    expect(reviewed).to_contain_text("Reviewed")
    expect(reviewed).to_contain_text("by Sarah Whitfield")
    expect(reviewed).to_contain_text("Appropriate: covering the day team")
