"""The concerns issue's "done when" journey: Nia, on a phone on the night shift,
records a concern about Alice; Helen, who manages Rose House, reviews it within the
hour immediate danger allows; Sarah, the safeguarding lead, sees it all in Alice's
chronology, with the chart and the table beside it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import PHONE, assert_no_horizontal_overflow, screenshot

pytestmark = pytest.mark.browser


def h1(page):
    return page.get_by_role("heading", level=1)


def test_nia_records_a_concern_helen_reviews_it_sarah_sees_the_chronology(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    yesterday = timezone.localdate() - timedelta(days=1)

    # Nia, on her phone, goes from My people to Alice and taps "Record a concern".
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, cast.nia)
    page.get_by_role("link", name="Alice Moore").click()
    expect(h1(page)).to_have_text("Alice Moore")
    page.get_by_role("link", name="Record a concern").click()
    expect(h1(page)).to_have_text("Record a safeguarding concern")
    expect(page.get_by_label("Where it happened")).to_have_value(str(cast.night.pk))
    assert_no_horizontal_overflow(page)

    # When is filled in with now, in the phone's own date and time pickers.
    expect(page.get_by_label("Date it happened")).to_have_value(timezone.localdate().isoformat())
    page.get_by_label("Date it happened").fill(yesterday.isoformat())
    page.get_by_label("Time it happened").fill("23:15")
    page.get_by_label("Psychological or emotional abuse").check()

    # Her own words are asked near the top, with the standard as a prompt beside them.
    own_words = page.get_by_label("The person's own words")
    expect(page.locator("#id_persons_words_helptext")).to_contain_text(
        "write down their own words, as exactly as you can"
    )
    own_words.fill("He said I was a burden and should be grateful anyone feeds me.")
    page.get_by_label("The person told me").check()
    expect(page.get_by_text("Their words go in")).to_be_visible()

    # An unexplained injury asks where on the body it is.
    page.get_by_label("Unexplained injury").check()
    expect(page.get_by_label("Where on the body")).to_be_visible()
    page.get_by_label("Where on the body").fill("Bruise on her left forearm")

    page.get_by_label("A member of staff").check()
    page.get_by_label("Which member of staff").select_option(label="Tom Bradley")
    page.get_by_label("What the person wants to happen").fill("She wants it to stop.")
    page.get_by_label("Agrees to sharing").check()
    page.get_by_label("What you did straight away").fill("Stayed with Alice; Tom went home.")
    page.get_by_label("Who you told").fill("Helen, the manager on call, at 23:30")

    # Immediate danger shows what to do now, before anything is saved.
    page.get_by_label("Immediate danger").check()
    steps = page.locator(".nhsuk-warning-callout").filter(has_text="Do this now")
    expect(steps).to_be_visible()
    expect(steps).to_contain_text("call 999")
    assert_no_horizontal_overflow(page)
    screenshot(page, "journey-phone-record-filled")

    # Without "What happened" it is not saved: the summary and the field say why,
    # and everything she typed is still there.
    page.get_by_role("button", name="Record concern").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Say what happened")
    expect(page).to_have_title(re.compile(r"^Error: "))
    facts_group = page.locator(".nhsuk-form-group--error").filter(
        has=page.get_by_label("What happened")
    )
    expect(facts_group.locator(".nhsuk-error-message")).to_contain_text("Say what happened")
    expect(own_words).to_be_visible()
    expect(own_words).to_have_value(re.compile("a burden"))
    expect(page.get_by_label("Where on the body")).to_have_value("Bruise on her left forearm")
    expect(steps).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "journey-phone-record-errors")

    summary.get_by_role("link", name=re.compile("Say what happened")).click()
    expect(page.get_by_label("What happened")).to_be_focused()
    page.get_by_label("What happened").fill(
        "At 23:15 I heard Tom shouting at Alice in her room. She was crying."
    )
    page.get_by_role("button", name="Record concern").click()

    # The saved concern: the night shift, worked out from 23:15, and her team.
    expect(h1(page)).to_have_text("Safeguarding concern")
    expect(
        page.get_by_text("Concern recorded. Your manager and the safeguarding lead")
    ).to_be_visible()
    recorded = page.locator(".nhsuk-summary-list")
    expect(recorded).to_contain_text("23:15 (Night shift)")
    expect(recorded).to_contain_text("Night team, Rose House")
    expect(recorded).to_contain_text("Immediate danger")
    expect(recorded).to_contain_text("Bruise on her left forearm")
    expect(page.get_by_text("Waiting for review")).to_be_visible()
    assert_no_horizontal_overflow(page)
    concern_url = page.url

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))

    # Helen, at her desk, finds it at the top of her reviews, due within the hour.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, cast.helen)
    page.get_by_role("link", name="Reviews").click()
    expect(h1(page)).to_have_text("Concerns to review")
    row = page.get_by_role("row").filter(has_text="Alice Moore")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Immediate danger")
    expect(row).to_contain_text("Night team, Rose House")
    expect(row).to_contain_text("Nia Okafor")
    due = timezone.localtime(timezone.now() + timedelta(hours=1))
    expect(row).to_contain_text(re.compile(f"{due:%H}:\\d\\d|{due - timedelta(hours=1):%H}:\\d\\d"))
    row.get_by_role("link", name=re.compile("Alice Moore")).click()
    expect(page).to_have_url(concern_url)

    page.get_by_role("link", name="Review this concern").click()
    expect(h1(page)).to_have_text("Review the concern")
    page.get_by_label("Escalate").check()
    page.get_by_label("Your reasons").fill(
        "Alleged abuse by a member of staff: referred to the local authority and Tom suspended."
    )
    page.get_by_role("button", name="Record review").click()
    expect(page.get_by_text("Review recorded.")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for your review.")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()

    # Sarah sees the concern, the chart, the table and the review in the chronology.
    sign_in(page, live_server, cast.sarah)
    page.goto(f"{live_server.url}/people/{cast.alice.pk}/")
    page.get_by_role("link", name="Chronology").click()
    expect(h1(page)).to_have_text("Chronology")
    chart = page.get_by_role("img", name=re.compile("Concerns about Alice Moore over time"))
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name="Concerns per month, by team")
    expect(table.get_by_role("columnheader", name="Night team")).to_be_visible()
    expect(table.get_by_role("row").filter(has_text=f"{yesterday:%B %Y}")).to_contain_text("1")
    timeline = page.locator(".sw-timeline")
    concern = timeline.locator(".sw-timeline__entry--concern")
    expect(concern).to_contain_text("Night team, Rose House")
    expect(concern).to_contain_text("Night shift")
    expect(concern).to_contain_text("Psychological or emotional abuse")
    expect(concern).to_contain_text("Immediate danger")
    expect(concern).to_contain_text("Nia Okafor")
    review = timeline.locator(".sw-timeline__entry--review")
    expect(review).to_contain_text("escalate")
    expect(review).to_contain_text("Helen Marsh")
    screenshot(page, "journey-chronology-sarah")
    assert not page.problems, page.problems
