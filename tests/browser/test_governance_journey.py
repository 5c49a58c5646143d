"""Governance by browser. Sarah, the safeguarding lead, schedules an oversight meeting,
opens its agenda, minutes Alice's refusal with an action for Helen, and finds the
action waiting on the next meeting's agenda. Helen, a team manager, runs a
supervision session with Nia about her recent concerns."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import record_concern
from sharewise.disclosures.tests.test_referrals import by
from sharewise.governance.models import Action, Minute, Supervision
from sharewise.sharing import decisions
from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def _schedule(page, base, day):
    page.goto(f"{base}/governance/meetings/")
    form = page.locator("form").filter(has_text="Schedule a meeting")
    form.get_by_label("Day").fill(str(day.day))
    form.get_by_label("Month").fill(str(day.month))
    form.get_by_label("Year").fill(str(day.year))
    form.get_by_label("Time").fill("10:00")
    page.get_by_role("button", name="Schedule and build the agenda").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Oversight meeting")


def test_the_lead_minutes_an_action_that_follows_up_at_the_next_meeting(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    base = live_server.url
    for days in (12, 6, 2):
        record_concern(cast, days_ago=days)
    decisions.record_consent(
        by(cast.nia),
        cast.alice,
        {
            "purpose": "Telling the council about the call bell left out of reach",
            "outcome": "refused",
            "explained_how": "Sat with her and explained who we would tell and why.",
            "capacity": "presumed",
            "asked_at": timezone.now() - timedelta(days=1),
        },
    )

    sign_in(page, live_server, cast.sarah)
    page.get_by_role("link", name="Governance").first.click()
    page.get_by_role("link", name="Oversight meetings", exact=True).click()
    today = timezone.localdate()
    _schedule(page, base, today)

    refusals = page.get_by_role("region", name="Refusals of consent")
    expect(refusals).to_contain_text("Alice Moore: refused")
    expect(page.get_by_role("region", name="Open alerts")).to_contain_text("Alice Moore")
    assert_accessible(page, "meeting-agenda")

    item = refusals.locator(".nhsuk-card").first
    item.get_by_text("Minute this item").click()
    item.get_by_label("Discussion").fill(
        "Alice refused again; three concerns in two weeks across both shifts."
    )
    item.get_by_label("Decision").fill("Do not accept the refusal as the end of the matter.")
    item.get_by_label("Action agreed").fill("Assess Alice's capacity for this decision")
    item.get_by_label("Action owner").select_option(label="Helen Marsh")
    due = today + timedelta(days=7)
    item.get_by_label("Day").fill(str(due.day))
    item.get_by_label("Month").fill(str(due.month))
    item.get_by_label("Year").fill(str(due.year))
    item.get_by_role("button", name="Save the minute").click()

    expect(page.get_by_role("alert")).to_contain_text("Minuted")
    refusals = page.get_by_role("region", name="Refusals of consent")
    expect(refusals).to_contain_text("three concerns in two weeks")
    expect(refusals).to_contain_text("Assess Alice's capacity for this decision")
    screenshot(page, "meeting-minuted")
    action = Action.objects.get()
    assert action.owner == cast.helen and action.due == due
    assert Minute.objects.get().person == cast.alice

    _schedule(page, base, today + timedelta(days=28))
    follow_up = page.get_by_role("region", name="Actions from earlier meetings")
    expect(follow_up).to_contain_text("Assess Alice's capacity for this decision")
    expect(follow_up).to_contain_text("Helen Marsh")
    screenshot(page, "meeting-follow-up")

    page.goto(f"{base}/people/{cast.alice.pk}/chronology/")
    expect(page.locator("main")).to_contain_text("Discussed at the oversight meeting")


def test_a_manager_runs_a_supervision_session(page, live_server, transactional_cast, sign_in):
    cast = transactional_cast
    base = live_server.url
    record_concern(cast, days_ago=4, facts="Alice was found on the floor by her bed at 3am.")

    sign_in(page, live_server, cast.helen)
    page.get_by_role("link", name="Governance").first.click()
    page.get_by_role("link", name="Supervision", exact=True).click()
    row = page.get_by_role("row").filter(has_text="Nia Okafor")
    expect(row).to_contain_text("Overdue")
    row.get_by_role("link", name="Start a session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision with Nia Okafor")
    assert_accessible(page, "supervision-session")

    page.get_by_label("Alice was found on the floor", exact=False).check()
    page.get_by_label("Who else might know something?").fill(
        "The night nurse heard a noise earlier and did not write it down."
    )
    page.get_by_role("button", name="Record the session").click()
    expect(page.get_by_role("alert")).to_contain_text("Write the staff member's reflection")
    expect(page.get_by_label("Who else might know something?")).to_have_value(
        "The night nurse heard a noise earlier and did not write it down."
    )

    page.get_by_label("Their reflection").fill("I recorded the fall but not who else was there.")
    page.get_by_label("Learning agreed").fill("Ask the whole shift what they saw or heard.")
    page.get_by_role("button", name="Record the session").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Supervision: Nia Okafor")
    expect(page.locator("main")).to_contain_text("Who else might know something?")
    screenshot(page, "supervision-recorded")
    session = Supervision.objects.get()
    assert session.supervisor == cast.helen and session.items[0]["type"] == "concern"

    page.goto(f"{base}/governance/supervision/")
    expect(page.get_by_role("row").filter(has_text="Nia Okafor")).not_to_contain_text("Overdue")
    page.get_by_role("button", name="Sign out").click()

    # Nia reads her own record of the session, from the account links.
    sign_in(page, live_server, cast.nia)
    page.get_by_role("link", name="Your supervision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your supervision")
    expect(page.locator("main")).not_to_contain_text("Overdue")
    assert_accessible(page, "my-supervision")
    row = page.get_by_role("row").filter(has_text="Helen")
    expect(row).to_contain_text("Ask the whole shift what they saw or heard.")
    row.get_by_role("link").click()
    expect(page.locator("main")).to_contain_text("I recorded the fall but not who else was there.")
    expect(page.locator("main")).to_contain_text("Alice was found on the floor")
    screenshot(page, "my-supervision-session")
    page.get_by_role("link", name="Your supervision").last.click()
    expect(page).to_have_url(f"{base}/supervision/")
