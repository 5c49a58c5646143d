"""A concern in two minutes on a phone: Nia, at night, records immediate danger about
Alice from her list in a handful of taps, and Sarah, the safeguarding lead, sees it at
the top of her dashboard and in her notifications at once. Later Nia's session is
ended while she types; she signs in again, finds every word, and it is recorded once.
A form sent with a token gone stale (she signed in again in another tab) is kept and
sent again, never a bare 403."""

import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from sharewise.concerns.models import Concern, Severity
from sharewise.organisations.models import KeptDraft

from .conftest import DESKTOP, PHONE, assert_accessible, assert_no_horizontal_overflow, screenshot

pytestmark = pytest.mark.browser


def h1(page):
    return page.get_by_role("heading", level=1)


class Taps:
    """Counts what a person does: each click, tick, choice and box filled."""

    def __init__(self):
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def check(self, locator):
        self.count += 1
        locator.check()

    def fill(self, locator, text):
        self.count += 1
        locator.fill(text)


def page_height(page):
    return page.evaluate("document.documentElement.scrollHeight")


def test_nia_records_immediate_danger_on_her_phone_and_sarah_sees_it_at_once(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, cast.nia)
    taps = Taps()

    # From her list, to Alice, to the form: who and when are already filled in.
    taps.click(page.get_by_role("link", name="Alice Moore"))
    taps.click(page.get_by_role("link", name="Record a concern"))
    expect(h1(page)).to_have_text("Record a safeguarding concern")
    expect(page.get_by_text("About Alice Moore")).to_be_visible()
    expect(page.get_by_label("Date it happened")).to_have_attribute("type", "date")
    expect(page.get_by_label("Time it happened")).to_have_attribute("type", "time")
    expect(page.get_by_label("Date it happened")).not_to_have_value("")
    expect(page.get_by_label("Time it happened")).not_to_have_value("")
    expect(page.get_by_label("Where it happened")).to_have_value(str(cast.night.pk))
    assert_no_horizontal_overflow(page)
    print(f"\nconcern form height at 390x844: {page_height(page)}px")
    screenshot(page, "concern-phone-top")
    page.screenshot(path=_screen("concern-phone-first-screen"))

    taps.fill(
        page.get_by_label("What happened"),
        "At 02:10 Alice's son came in drunk, shouted at her and pushed her into the chair.",
    )
    taps.fill(page.get_by_label("The person's own words"), "Make him go, I'm frightened of him.")
    # Immediate danger is the first choice, and the steps show at once, near the top.
    taps.check(page.get_by_label("Immediate danger"))
    top = (
        page.evaluate("window.scrollY") + page.get_by_label("Immediate danger").bounding_box()["y"]
    )
    print(f"immediate danger is {top:.0f}px from the top of the page")
    steps = page.locator(".nhsuk-warning-callout").filter(has_text="Do this now")
    expect(steps).to_be_visible()
    expect(steps).to_contain_text("call 999")
    assert steps.bounding_box()["y"] < 2 * PHONE["height"], "the steps are not near the top"
    assert (
        page.evaluate("document.querySelectorAll('input[type=radio][aria-expanded]').length") == 0
    )
    page.screenshot(path=_screen("concern-phone-immediate-danger"))
    assert_accessible(page, "concern-phone-immediate-danger-full")
    print(f"concern form height with the steps open: {page_height(page)}px")

    taps.fill(
        page.get_by_label("What you did straight away"),
        "Called 999, took Alice to her room and stayed with her until the police came.",
    )
    taps.check(page.get_by_label("Physical abuse"))
    taps.check(page.get_by_label("The person told me"))
    taps.check(page.get_by_label("No injury"))
    taps.check(page.get_by_label("Agrees to sharing"))
    # The draft saved itself on the way, for Nia alone.
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    taps.click(page.get_by_role("button", name="Record concern"))

    expect(h1(page)).to_have_text("Safeguarding concern")
    expect(page.get_by_role("alert")).to_contain_text(
        "Your manager and the safeguarding lead have been told it is urgent"
    )
    assert taps.count < 15, f"{taps.count} taps and boxes to record a concern"
    concern = Concern.objects.get()
    assert concern.severity == Severity.IMMEDIATE
    assert not KeptDraft.objects.filter(user=cast.nia).exists()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('sw-draft:'))") == []
    page.get_by_role("button", name="Sign out").click()

    # Sarah, at her desk: the dashboard starts with it, and her notifications have it.
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, cast.sarah)
    page.goto(f"{live_server.url}/oversight/")
    urgent = page.locator("#urgent")
    expect(urgent).to_contain_text("Urgent concerns waiting for review")
    expect(urgent).to_contain_text("Alice Moore")
    first_heading = page.locator("main h2").first
    expect(first_heading).to_contain_text("Urgent concerns waiting for review")
    expect(page.get_by_role("link", name=re.compile(r"Notifications \d+ unread"))).to_be_visible()
    screenshot(page, "concern-urgent-on-dashboard")
    page.get_by_role("link", name=re.compile("Notifications")).click()
    expect(page.locator("main")).to_contain_text("Urgent concern: immediate danger was recorded")
    urgent_link = page.locator("main a", has_text=re.compile("Urgent concern")).first
    if urgent_link.count():
        urgent_link.click()
    else:
        page.goto(f"{live_server.url}/concerns/{concern.pk}/")
    expect(h1(page)).to_have_text("Safeguarding concern")
    assert not page.problems, page.problems


def _screen(name):
    from .conftest import SCREENS

    SCREENS.mkdir(parents=True, exist_ok=True)
    return SCREENS / f"{name}.png"


def end_session(page):
    """As if her session had been ended on the server (signed out elsewhere, expired)."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    SessionStore(session_key=key).delete()


def test_her_session_ends_mid_concern_and_every_word_comes_back_recorded_once(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, cast.nia)
    page.goto(f"{live_server.url}/people/{cast.alice.pk}/concerns/new/")
    facts = "Alice was found on the floor by her bed at 05:40. She said nobody came."
    words = "I rang and rang and nobody came."
    page.get_by_label("What happened").fill(facts)
    page.get_by_label("The person's own words").fill(words)
    page.get_by_label("High").check()
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")

    # The session ends on the server; she types on, then presses the button.
    end_session(page)
    action = "Helped her up, checked for injuries, and called the nurse in charge."
    page.get_by_label("What you did straight away").fill(action)
    page.get_by_label("Neglect and acts of omission").check()
    page.get_by_label("I saw or heard it myself").check()
    page.get_by_label("No injury").check()
    page.get_by_label("Agrees to sharing").check()
    page.get_by_role("button", name="Record concern").click()
    expect(h1(page)).to_have_text("Sign in to Sharewise")
    assert not Concern.objects.exists()

    page.get_by_label("Username").fill("nia")
    page.get_by_label("Password").fill(cast.password)
    page.get_by_role("button", name="Sign in").click()

    # Back on her draft with every word: saved on the server, and what came after
    # kept in the browser until the server had it.
    expect(h1(page)).to_have_text("Record a safeguarding concern")
    expect(page.get_by_label("What happened")).to_have_value(facts)
    expect(page.get_by_label("The person's own words")).to_have_value(words)
    expect(page.get_by_label("What you did straight away")).to_have_value(action)
    expect(page.get_by_label("High")).to_be_checked()
    expect(page.get_by_label("Neglect and acts of omission")).to_be_checked()
    expect(page.get_by_label("No injury")).to_be_checked()
    screenshot(page, "concern-draft-back-after-sign-in")

    # A tired double press sends it twice: it is recorded once.
    page.get_by_role("button", name="Record concern").dblclick()
    expect(h1(page)).to_have_text("Safeguarding concern")
    assert Concern.objects.count() == 1
    concern = Concern.objects.get()
    assert (concern.facts, concern.persons_words, concern.immediate_action) == (
        facts,
        words,
        action,
    )
    assert not KeptDraft.objects.filter(user=cast.nia).exists()
    assert not page.problems, page.problems


def forget_refused_draft_saves(page):
    """A draft save sent with the stale token is refused too: what it carried stays in
    the browser, and the page that keeps the form has it. Not a fault of the page."""
    page.problems[:] = [
        p for p in page.problems if not re.match(r"403 for .*/concerns/new/draft/$", p)
    ]


def test_a_form_whose_token_went_stale_is_kept_and_sent_again(
    browser, page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, cast.nia)
    page.goto(f"{live_server.url}/people/{cast.alice.pk}/concerns/new/")
    facts = "Alice's purse was empty again after her nephew's visit; she cried about it."
    page.get_by_label("What happened").fill(facts)
    page.get_by_label("What you did straight away").fill("Told the nurse in charge.")
    page.get_by_label("Moderate").check()
    page.get_by_label("Financial or material abuse").check()
    page.get_by_label("The person told me").check()
    page.get_by_label("No injury").check()
    page.get_by_label("Agrees to sharing").check()
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")

    # In a second tab she signs out and in again: the first tab's token is stale now.
    other = page.context.new_page()
    other.goto(f"{live_server.url}/people/")
    other.get_by_role("button", name="Sign out").click()
    other.get_by_label("Username").fill("nia")
    other.get_by_label("Password").fill(cast.password)
    other.get_by_role("button", name="Sign in").click()
    expect(h1(other)).not_to_have_text("Sign in to Sharewise")
    other.close()

    page.get_by_role("button", name="Record concern").click()
    expect(h1(page)).to_have_text("Your form was not sent")
    expect(page.locator("main")).not_to_contain_text("CSRF")
    expect(page.locator("main")).to_contain_text(facts)
    forget_refused_draft_saves(page)
    assert_accessible(page, "concern-form-not-sent")
    page.get_by_role("button", name="Send it again").click()
    expect(h1(page)).to_have_text("Safeguarding concern")
    assert Concern.objects.get().facts == facts
    forget_refused_draft_saves(page)
    assert not page.problems, page.problems
