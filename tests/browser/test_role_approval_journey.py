"""Owen, the administrator, asks for Tom to become a team manager; nothing changes for
Tom until Sarah, the safeguarding lead, approves it from her list of roles waiting."""

import re

import pytest
from playwright.sync_api import expect

from sharewise.organisations.models import Membership

pytestmark = pytest.mark.browser


def test_owen_asks_sarah_approves_tom_as_team_manager(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    sign_in(page, live_server, cast.owen)
    page.goto(f"{live_server.url}/organisation/staff/{cast.tom.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tom Bradley")
    page.get_by_label("Role").select_option("team_manager")
    page.get_by_label("Where").select_option(label="All of Rose House")
    page.get_by_role("button", name="Add role").click()
    expect(page.get_by_text("now waits for a safeguarding lead")).to_be_visible()
    expect(page.get_by_role("heading", name="Waiting for approval")).to_be_visible()
    assert not Membership.objects.filter(user=cast.tom, role="team_manager").exists()

    # Owen's own page offers him no way to change his roles.
    page.goto(f"{live_server.url}/organisation/staff/{cast.owen.pk}/")
    expect(page.get_by_text("You cannot change your own roles")).to_be_visible()
    expect(page.get_by_role("button", name="Add role")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))

    sign_in(page, live_server, cast.sarah)
    page.goto(f"{live_server.url}/organisation/role-requests/")
    expect(page.get_by_role("heading", name="Tom Bradley: team manager")).to_be_visible()
    page.get_by_role("button", name="Approve Tom Bradley as team manager").click()
    expect(page.get_by_text("Approved: Tom Bradley is now team manager")).to_be_visible()
    expect(page.get_by_text("No role is waiting for approval.")).to_be_visible()
    assert Membership.objects.filter(user=cast.tom, role="team_manager", service=cast.rose).exists()
