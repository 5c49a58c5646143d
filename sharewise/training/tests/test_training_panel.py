"""Coverage by team on the oversight dashboard: the lead sees every team, a team
manager the teams they manage, a care worker nothing; and it costs the same few
queries however many staff and attempts there are."""

import re

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from sharewise.organisations.models import Membership, Role
from sharewise.training import panels
from sharewise.training.applies import KINDS as CONFIRM_KINDS
from sharewise.training.tests.rows import assignment, attempt, policies_saved, receipt


def _story(cast):
    """Nia (Night) is overdue and scored 40; Tom (Day) has done his and scored 80, and
    confirmed every policy in force; Priya (Community North) scored 100."""
    policies_saved(cast)
    assignment(cast, [cast.nia], due_in=-2)
    assignment(cast, [cast.tom], done=[cast.tom])
    attempt(cast, cast.nia, 40)
    attempt(cast, cast.tom, 80)
    attempt(cast, cast.tom, 80, days_ago=200)  # too old to count
    attempt(cast, cast.priya, 100)
    for kind in CONFIRM_KINDS:
        receipt(cast, cast.tom, kind)
    receipt(cast, cast.nia, "information_sharing")  # not all of them


def _rows(html):
    """{team: [cells]} from the coverage table, without the phone-width headings."""
    body = html.split('id="training-coverage"')[1].split("</table>")[0]
    found = {}
    for row in re.findall(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", body, re.S):
        cells = [
            " ".join(
                re.sub(r"<span class=\"nhsuk-table-responsive__heading\">.*?</span>", "", c)
                .replace('<span class="nhsuk-body-s">', "")
                .split()
            )
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
        found[cells[0].split(",")[0]] = cells[1:]
    return found


def test_the_lead_sees_every_teams_coverage_with_the_right_figures(cast, as_user):
    _story(cast)
    page = as_user(cast.sarah).get("/oversight/").content.decode()
    rows = _rows(page)
    assert set(rows) == {"Day team", "Night team", "Community North"}
    # staff, assigned, all done, overdue, mean score, confirmed
    assert rows["Night team"] == ["1", "1", "0", "1", "40% (1 attempt)", "0 of 1 staff"]
    assert rows["Day team"] == ["1", "1", "1", "0", "80% (1 attempt)", "1 of 1 staff"]
    assert rows["Community North"] == ["1", "0", "0", "0", "100% (1 attempt)", "0 of 1 staff"]
    assert "<caption" in page.split('id="training-coverage"')[1]


def test_a_team_manager_sees_only_the_teams_they_manage(cast, as_user):
    _story(cast)
    rows = _rows(as_user(cast.helen).get("/oversight/").content.decode())
    assert set(rows) == {"Day team", "Night team"}
    assert "Community North" not in rows


def test_a_care_worker_sees_no_coverage(cast):
    _story(cast)
    request = RequestFactory().get("/oversight/")
    request.user = cast.nia
    assert panels.dashboard_panel(request) == ""


def _grow(cast, n, start):
    User = get_user_model()
    for i in range(start, start + n):
        user = User.objects.create(username=f"night{i}", first_name="Night", last_name=str(i))
        Membership.objects.create(
            user=user, organisation=cast.org, role=Role.CARE_WORKER, team=cast.night
        )
        assignment(cast, [user], due_in=-1 if i % 2 else 3, done=[user] if i % 3 else [])
        attempt(cast, user, 50 + i % 50)
        attempt(cast, user, 60)
        receipt(cast, user)


def _queries(cast):
    request = RequestFactory().get("/oversight/")
    request.user = get_user_model().objects.get(pk=cast.sarah.pk)
    with CaptureQueriesContext(connection) as small:
        html = panels.dashboard_panel(request)
    return len(small), html


def test_the_panel_costs_the_same_queries_for_3_staff_or_40(cast):
    _story(cast)
    _grow(cast, 3, 0)
    few, html = _queries(cast)
    _grow(cast, 37, 3)
    many, html = _queries(cast)
    assert many == few
    # Five of its own (scope, teams, policies, counts, scores), the rest the page's.
    assert few <= 12
    assert _rows(html)["Night team"][0] == "41"
