"""A running audit's page keeps the lead up to date without reloading: its polite live
region reads the new progress, then the findings take its place when it finishes. (A
page reloading itself sends a screen reader back to the top every two seconds.)"""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_running_audit_updates_in_its_live_region_without_reloading(
    page, live_server, transactional_cast, sign_in, accessible
):
    from sharewise.governance.models import AuditRun, Job
    from sharewise.policy import store

    cast = transactional_cast
    version, _ = store.in_force(cast.org.pk, "governance")
    run = AuditRun.objects.create(
        organisation=cast.org,
        period_from=cast.today - timedelta(days=30),
        period_to=cast.today,
        policy_version=version,
        status=Job.RUNNING,
        progress=10,
        step="reviews of concerns",
    )
    sign_in(page, live_server, cast.sarah)
    page.goto(f"{live_server.url}/governance/audits/{run.pk}/")
    live = page.locator('[role="status"][aria-live="polite"]')
    expect(live).to_contain_text("Running: 10% done.")
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    accessible(page, "audit-running")
    # A mark on this page's window: a reload would lose it.
    page.evaluate("window.notReloaded = true")

    AuditRun.objects.filter(pk=run.pk).update(progress=60, step="alert decisions")
    expect(live).to_contain_text("Running: 60% done.", timeout=8_000)
    expect(live).to_contain_text("Checking: alert decisions.")
    assert page.evaluate("window.notReloaded") is True

    AuditRun.objects.filter(pk=run.pk).update(status=Job.DONE, progress=100, step="")
    expect(live).to_contain_text("The audit has finished.", timeout=8_000)
    expect(page.get_by_role("heading", name="Findings by criterion")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    assert "Running" not in live.inner_text()
    accessible(page, "audit-finished-in-place")


def test_a_form_with_errors_moves_focus_to_the_summary_which_leads_to_each_field(
    page, live_server, transactional_cast, sign_in
):
    """NHS.UK frontend's error summary script (loaded from our own static files, so
    the strict Content-Security-Policy allows it) focuses the summary on load."""
    sign_in(page, live_server, transactional_cast.sarah)
    page.goto(f"{live_server.url}/governance/learning/new/")
    page.get_by_role("button", name="Add to the learning log").click()
    expect(page).to_have_title("Error: Add a lesson – Sharewise")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Enter what happened").click()
    expect(page.get_by_label("What happened")).to_be_focused()
    assert "nhsuk-textarea--error" in page.get_by_label("What happened").get_attribute("class")
    assert page.problems == []
