"""Nia, at the end of a night shift, opens on her phone the practice case her lead
assigned, works it through and sees her score; Sarah, the lead, sees the night team's
result on the oversight dashboard."""

from datetime import timedelta
from types import SimpleNamespace

from sharewise.training.tests.practice_helpers import form_data, right_choices
from tests.browser.conftest import PHONE, assert_accessible, assert_no_horizontal_overflow

CASE = "refused_emotional_abuse"


def _answer(page, data):
    """Fill the practice form as a person would: tick the radios and boxes, type the
    reasons, whatever order the questions come in."""
    for name, value in data.items():
        for one in value if isinstance(value, list) else [value]:
            field = page.locator(f'[name="{name}"][value="{one}"]')
            if field.count():
                field.check()
                continue
            field = page.locator(f'[name="{name}"]')
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(one)
            else:
                field.fill(one)


def test_a_care_worker_completes_an_assigned_case_on_a_phone_and_the_lead_sees_it(
    page, live_server, sign_in, transactional_cast
):
    from sharewise.concerns.models import Concern
    from sharewise.people.models import Person
    from sharewise.training import assignments

    cast = transactional_cast
    lead = SimpleNamespace(user=cast.sarah, META={})
    assignments.make(
        lead,
        what="case",
        case_code=CASE,
        due=cast.today + timedelta(days=7),
        roles=["care_worker"],
        team_ids=[cast.night.pk],
        note="Before Thursday's team meeting",
    )
    people, concerns = Person.objects.count(), Concern.objects.count()

    page.set_viewport_size(PHONE)
    sign_in(page, live_server, cast.nia)
    page.get_by_role("link", name="Your training").click()
    case, chosen = right_choices(CASE)
    page.get_by_role("link", name=case.title).click()
    assert "not a real person" in page.locator(".sw-practice-banner").inner_text()
    page.get_by_role("button", name="Start this case").click()
    assert page.title().startswith("Practice:")
    assert_accessible(page, "practice-case-phone")
    assert_no_horizontal_overflow(page)
    _answer(page, form_data(chosen))
    page.get_by_role("button", name="Finish and see feedback").click()
    assert "100%" in page.locator("main").inner_text()
    assert_no_horizontal_overflow(page)
    page.goto(f"{live_server.url}/training/")
    assert (
        "Nothing to do" in page.locator("main").inner_text()
        or not page.get_by_role("link", name=case.title).count()
    )

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, cast.sarah)
    page.goto(f"{live_server.url}/oversight/")
    coverage = page.locator("table", has=page.locator("caption", has_text="Training coverage"))
    night = coverage.locator("tr", has_text="Night team")
    cells = night.inner_text()
    assert "100% (1 attempt)" in cells
    assert [c.strip() for c in night.locator("td").all_inner_texts()][:3] == ["1", "1", "1"]
    # practice touched no real record
    assert (Person.objects.count(), Concern.objects.count()) == (people, concerns)
