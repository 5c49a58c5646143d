"""Your training and an assignment page, on a phone and a desktop: accessible, no
sideways scrolling."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests.browser.conftest import assert_accessible, assert_no_horizontal_overflow


@pytest.mark.parametrize("width", [375, 1280])
def test_your_training_and_an_assignment_read_well(
    page, live_server, sign_in, transactional_cast, width
):
    from sharewise.policy import changes, store
    from sharewise.training import assignments

    cast = transactional_cast
    lead = SimpleNamespace(user=cast.sarah, META={})
    _, document = store.in_force(cast.org.pk, "recording")
    doc = document.model_dump(mode="json")
    doc["categories"][0]["label"] += " (including rough handling)"
    changes.save(lead, cast.org.pk, "recording", doc, "After the audit")
    made = assignments.make(
        lead,
        what="policy",
        policy_kind="information_sharing",
        due=cast.today + timedelta(days=2),
        team_ids=[cast.night.pk],
        note="Read before Thursday's team meeting",
    )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, cast.nia)
    page.goto(f"{live_server.url}/training/")
    assert page.get_by_role("heading", name="Your training").is_visible()
    assert_accessible(page, f"your-training-{width}")
    assert_no_horizontal_overflow(page)
    page.goto(f"{live_server.url}/training/policies/recording/")
    assert_accessible(page, f"confirm-policy-{width}")
    assert_no_horizontal_overflow(page)
    page.context.clear_cookies()
    sign_in(page, live_server, cast.sarah)
    page.goto(f"{live_server.url}/training/assignments/{made.pk}/")
    assert_accessible(page, f"assignment-{width}")
    assert_no_horizontal_overflow(page)
    page.goto(f"{live_server.url}/training/assignments/new/")
    assert_accessible(page, f"new-assignment-{width}")
    assert_no_horizontal_overflow(page)
