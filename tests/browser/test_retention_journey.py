"""Destroying records past retention by browser. David, the data protection officer,
opens the month's review list, sees Dennis due (he left our care long ago) and Bob held
by a legal hold, proposes destroying Dennis's records and approves it with a note; the
page shows the certificate's digest and what was destroyed, naming no one."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import record_concern
from sharewise.people.models import Enrolment, Person
from sharewise.retention import review
from sharewise.retention.models import LegalHold
from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_the_officer_reviews_the_list_and_approves_a_destruction(
    page, live_server, transactional_cast, sign_in, monkeypatch
):
    cast = transactional_cast
    later = timezone.localdate() + timedelta(days=30 * 366)
    monkeypatch.setattr(review, "today", lambda: later)
    Enrolment.objects.filter(person__in=[cast.dennis, cast.bob]).update(
        end_date=timezone.localdate() - timedelta(days=1)
    )
    record_concern(cast, person=cast.dennis, team=cast.day, by=cast.tom)
    LegalHold.objects.create(
        organisation=cast.org,
        person=cast.bob,
        reason="Safeguarding Adults Review under way",
        placed_by=cast.sarah,
    )
    sign_in(page, live_server, cast.david)
    page.get_by_role("link", name="Data protection").click()
    page.get_by_role("navigation", name="Data protection").get_by_role(
        "link", name="Retention review and legal holds"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention review")
    due = page.get_by_role("table", name="People due for destruction, longest overdue first")
    expect(due).to_contain_text("Dennis Ward")
    held = page.get_by_role(
        "table", name="People past retention whose records are under a legal hold"
    )
    expect(held).to_contain_text("Safeguarding Adults Review under way")
    assert_accessible(page)
    screenshot(page, "retention-review")

    page.get_by_label("Destroy the records of Dennis Ward").check()
    page.get_by_role("button", name="Propose destroying the chosen records").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Destruction")
    page.get_by_role("button", name="Approve and destroy these records").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter what you checked before approving"
    )
    page.get_by_label("What you checked before approving").fill(
        "No review, inquest or claim is open for him."
    )
    page.get_by_role("button", name="Approve and destroy these records").click()
    expect(page.get_by_text("Records destroyed and the certificate issued")).to_be_visible()
    expect(page.get_by_text("SHA-256")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Dennis")
    assert_accessible(page, "destruction-done")
    screenshot(page, "destruction-done")
    assert Person.objects.get(pk=cast.dennis.pk).family_name == f"record {cast.dennis.pk}"
