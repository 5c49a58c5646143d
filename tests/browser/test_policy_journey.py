"""Changing a policy by browser. Sarah, the safeguarding lead, looks across 30 days
instead of 90 for several concerns about one person, types a negative number by
mistake and is told which box to fix, checks what the change does (the alerts the rules
would have raised over the last three months) and saves it as a new version."""

import pytest
from playwright.sync_api import expect

from conftest import record_concern
from sharewise.policy import store
from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_the_lead_changes_the_pattern_rules_through_the_form(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    for days in (60, 40, 20):
        record_concern(cast, days_ago=days)
    sign_in(page, live_server, cast.sarah)
    # A lead's header holds more than fits: Policy is under More.
    page.get_by_role("button", name="More").click()
    page.get_by_role("link", name="Policy").first.click()
    page.get_by_role("link", name="Pattern rules").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pattern rules")
    assert_accessible(page)

    several = page.get_by_role("group", name="Several concerns about one person")
    several.get_by_label("Days looked across").fill("-30")
    page.get_by_role("button", name="Check the change").click()
    summary = page.locator(".nhsuk-error-summary")
    message = "Several concerns about one person: days looked across must be 1 or more"
    expect(summary).to_contain_text(message)
    assert page.title().startswith("Error:")
    assert_accessible(page, "policy-form-error")
    summary.get_by_role("link", name=message).click()
    several.get_by_label("Days looked across").fill("30")
    page.get_by_role("group", name="Risk score over the threshold").get_by_label(
        "Switched on"
    ).uncheck()
    page.get_by_label("What changed and why").fill("Look at the last month")
    page.get_by_role("button", name="Check the change").click()

    preview = page.locator("#preview")
    expect(preview).to_contain_text(
        "Several concerns about one person › Days looked across: 90 → 30"
    )
    expect(preview).to_contain_text("Risk score over the threshold › Switched on: yes → no")
    cumulative = preview.get_by_role("row", name="Several concerns about one person")
    expect(cumulative).to_contain_text("1")
    assert store.in_force(cast.org.pk, "patterns")[0].version == 1
    assert_accessible(page)
    screenshot(page, "policy-form")

    preview.get_by_role("button", name="Save as version 2").click()
    expect(page.locator("body")).to_contain_text("Saved as version 2")
    version, policy = store.in_force(cast.org.pk, "patterns")
    assert version.version == 2 and policy.cumulative.days == 30
    assert not policy.risk_score.enabled and version.note == "Look at the last month"

    page.get_by_role("link", name="Upload a changed file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a changed policy file")
    assert_accessible(page)
