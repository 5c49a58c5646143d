"""The issue's "done when" journey: Sarah, the safeguarding lead, opens the oversight
dashboard, follows a case for decision to the chronology, and records one decision for
every rule in it (first without reasons, which is refused). Tom, named as the alleged
source in one of the concerns, never sees that alert."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import days_spanned, record_concern
from sharewise.patterns.models import Alert
from tests.browser.conftest import assert_accessible, assert_no_horizontal_overflow, screenshot

pytestmark = pytest.mark.browser


def bob_story(cast):
    """Three concerns about Bob in six weeks from two teams, one naming Tom."""
    record_concern(cast, person=cast.bob, team=cast.day, by=cast.nia, days_ago=40)
    record_concern(cast, person=cast.bob, team=cast.night, by=cast.nia, days_ago=20)
    record_concern(
        cast,
        person=cast.bob,
        team=cast.day,
        by=cast.nia,
        days_ago=2,
        categories=["physical"],
        source_kind="staff",
        source_staff=cast.tom,
        injury="unexplained",
        injury_location="Left wrist",
    )
    return Alert.objects.get(rule="cumulative", subject=f"person:{cast.bob.pk}")


def test_sarah_follows_an_alert_to_the_chronology_and_decides_it(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    alert = bob_story(cast)

    sign_in(page, live_server, cast.sarah)
    page.get_by_role("link", name="Oversight").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oversight")
    waiting = page.get_by_role("table", name="Cases waiting for a decision")
    row = waiting.get_by_role("row").filter(has_text="Cumulative concerns")
    expect(row).to_contain_text("rules:")
    expect(row).to_contain_text(f"3 concerns about one person in {days_spanned(alert)} days")
    expect(row).to_contain_text("the Day team and the Night team at Rose House")
    assert_accessible(page, "oversight-dashboard-sarah")

    row.get_by_role("link", name=re.compile("Cumulative concerns")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cumulative concerns")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Concerns across teams")
    expect(
        page.get_by_role("table", name="Concerns that make this case").get_by_role("row")
    ).to_have_count(4)
    assert_accessible(page, "alert-sarah")

    page.get_by_role("link", name="Open Bob Evans's chronology").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chronology")
    expect(page.locator("main")).to_contain_text("Risk score")
    page.get_by_role("link", name="Cumulative concerns").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cumulative concerns")

    # No reasons: refused, with a message saying what to write.
    page.get_by_label("No further action").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".nhsuk-error-message")).to_contain_text("Write your reasons")
    assert_accessible(page, "alert-decision-errors")

    # Monitoring needs a date; with reasons and a date the decision is recorded.
    page.get_by_label("Monitor until a date").check()
    until = timezone.localdate() + timedelta(days=60)  # within the policy's 180 days
    page.get_by_label("Day").fill(str(until.day))
    page.get_by_label("Month").fill(str(until.month))
    page.get_by_label("Year").fill(str(until.year))
    page.get_by_label("Your reasons").fill(
        "Tom is suspended pending the investigation; day and night managers check Bob's "
        "skin daily and record it here."
    )
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Decision recorded")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Decided")
    expect(page.locator("main")).to_contain_text(f"until {until:%-d %B %Y}")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DECIDED
    # One decision for the case: every rule in it is decided, each with its own record.
    in_case = Alert.objects.filter(case_id=alert.case_id)
    assert set(in_case.values_list("status", flat=True)) == {Alert.Status.DECIDED}
    assert all(a.decisions.count() == 1 for a in in_case)

    page.get_by_role("button", name="Sign out").click()

    # Tom, named in one of the concerns, cannot see the alert by any route.
    sign_in(page, live_server, cast.tom)
    expect(page.get_by_role("link", name="Oversight")).to_have_count(0)
    response = page.goto(f"{live_server.url}/alerts/{alert.pk}/")
    assert response.status == 404
    expect(page.locator("main")).not_to_contain_text("Bob")
    staff_alert = Alert.objects.get(rule="staff_implicated")
    assert page.goto(f"{live_server.url}/alerts/{staff_alert.pk}/").status == 404
    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator("main")).to_contain_text("You have no notifications")


def test_the_dashboard_fits_a_phone(page, live_server, transactional_cast, sign_in):
    cast = transactional_cast
    bob_story(cast)
    record_concern(cast, days_ago=3, sharing_view="refuses", sharing_view_reason="Afraid.")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, cast.sarah)
    page.goto(f"{live_server.url}/oversight/")
    assert_accessible(page, "phone-oversight")
    assert_no_horizontal_overflow(page)
    page.goto(f"{live_server.url}/alerts/")
    assert_accessible(page, "alert-list")
    assert_no_horizontal_overflow(page)


def test_the_leads_other_oversight_pages_are_accessible(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    bob_story(cast)
    sign_in(page, live_server, cast.sarah)
    page.goto(f"{live_server.url}/notifications/")
    # Told once of Bob's case, when it opened (cumulative joined it later, about the
    # same concerns, and told nobody again).
    expect(
        page.get_by_role("link", name="New case for decision: Concerns across teams")
    ).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Cumulative concerns"))).to_have_count(0)
    assert_accessible(page, "notifications-sarah")
    page.goto(f"{live_server.url}/oversight/")
    page.get_by_role("table", name="Number of concerns").get_by_role("link").first.click()
    expect(page.get_by_role("table", name="Concerns")).to_contain_text("Bob Evans")
    assert_accessible(page, "heat-map-square")
    page.goto(f"{live_server.url}/policy/patterns/")
    assert_accessible(page, "pattern-rules-policy")
    page.get_by_role("link", name="Try pattern rules on past concerns").click()
    page.get_by_label("Pattern rules to try (YAML)").fill("cumulative:\n  concerns: 4\n")
    page.get_by_role("button", name="Try these rules").click()
    totals = page.get_by_role("table", name="Alerts raised")
    expect(totals.get_by_role("row").filter(has_text="Cumulative concerns")).to_contain_text("1")
    assert_accessible(page, "backtest-results")


def test_the_lead_decides_a_case_of_four_rules_at_once(
    page, live_server, transactional_cast, sign_in
):
    from sharewise.patterns.models import CaseForDecision
    from sharewise.patterns.tests.test_cases import FOUR, REASONS, one_pattern

    cast = transactional_cast
    one_pattern(cast)
    case = CaseForDecision.objects.get(person=cast.alice)
    sign_in(page, live_server, cast.sarah)
    page.goto(f"{live_server.url}/alerts/")
    row = page.get_by_role("table", name="Cases for decision").get_by_role("row")
    expect(row.filter(has_text="Alice Moore")).to_have_count(1)
    row.filter(has_text="Alice Moore").get_by_role("link", name=re.compile("4 rules:")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("4 rules:")
    for alert in case.alerts.all():
        expect(page.locator(f"#alert-{alert.pk}")).to_contain_text(alert.explanation)
    screenshot(page, "case-for-decision")
    assert_accessible(page, "case-for-decision-page")

    page.get_by_label("No further action").check()
    page.get_by_label("Your reasons").fill(REASONS)
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Decision recorded for every rule in this case"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Decided")
    decided = Alert.objects.filter(case=case)
    assert set(decided.values_list("rule", flat=True)) == FOUR
    assert set(decided.values_list("status", flat=True)) == {Alert.Status.DECIDED}
    assert all(a.decisions.get().rationale == REASONS for a in decided)
    page.goto(f"{live_server.url}/oversight/")
    expect(page.locator("main")).to_contain_text("No cases are waiting for a decision")
    assert page.problems == []
