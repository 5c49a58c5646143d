"""What the oversight pages offer, through the API: cases for decision listed and
acknowledged, the dashboard's figures, notifications read and marked read, and trying
proposed pattern rules; each refused to whom the page refuses it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import record_concern, signed_in
from sharewise.api.tests.test_patterns_api import fields
from sharewise.audittrail.models import Entry
from sharewise.patterns.models import Alert, CaseForDecision, Notification


@pytest.fixture
def alice_case(cast):
    """Three concerns about Alice on the Night team: a cumulative alert in her case."""
    for days_ago in (40, 20, 2):
        record_concern(cast, days_ago=days_ago)
    alert = Alert.objects.get(rule="cumulative", subject=f"person:{cast.alice.pk}")
    return alert.case


def test_the_lead_lists_waiting_cases_by_person_status_and_day(cast, api, alice_case):
    sarah = api(cast.sarah)
    listed = sarah.get("/api/v1/cases", {"person_id": cast.alice.pk})
    assert listed.status_code == 200, listed.json()
    [case] = listed.json()["results"]
    assert case["id"] == alice_case.pk and case["person_id"] == cast.alice.pk
    assert "cumulative" in {a["rule"] for a in case["alerts"]}

    opened = timezone.localdate(alice_case.opened_at)
    assert sarah.get("/api/v1/cases", {"from": opened.isoformat()}).json()["count"] == 1
    day_after = (opened + timedelta(days=1)).isoformat()
    assert sarah.get("/api/v1/cases", {"from": day_after}).json()["count"] == 0
    assert sarah.get("/api/v1/cases", {"status": "decided"}).json()["count"] == 0
    assert fields(sarah.get("/api/v1/cases", {"status": "closed"})) == {"status"}
    assert fields(sarah.get("/api/v1/cases", {"from": "31/03/2026"})) == {"from"}


def test_alerts_are_listed_by_person_id_and_the_days_they_were_raised(cast, api, alice_case):
    sarah = api(cast.sarah)
    mine = sarah.get("/api/v1/alerts", {"person_id": cast.alice.pk}).json()["results"]
    assert mine and {a["person_id"] for a in mine} == {cast.alice.pk}
    raised = timezone.localdate(alice_case.alerts.get(rule="cumulative").raised_at)
    day_before = (raised - timedelta(days=1)).isoformat()
    assert sarah.get("/api/v1/alerts", {"to": day_before}).json()["count"] == 0
    assert sarah.get("/api/v1/alerts", {"to": raised.isoformat()}).json()["count"] >= 1


def test_care_workers_and_other_organisations_get_no_cases(cast, api, alice_case):
    assert api(cast.nia).get("/api/v1/cases").status_code == 403
    assert api(cast.owen).get("/api/v1/cases").status_code == 403
    assert api(cast.olivia).get("/api/v1/cases").json()["results"] == []
    for who in (cast.nia, cast.olivia):
        refused = api(who).post(f"/api/v1/cases/{alice_case.pk}/acknowledge")
        assert refused.status_code == 404
    assert Alert.objects.filter(case=alice_case, status="acknowledged").count() == 0


def test_a_manager_acknowledges_the_case_once(cast, api, alice_case):
    helen = api(cast.helen)
    done = helen.post(f"/api/v1/cases/{alice_case.pk}/acknowledge")
    assert done.status_code == 200, done.json()
    assert {a["status"] for a in done.json()["alerts"]} == {"acknowledged"}
    again = helen.post(f"/api/v1/cases/{alice_case.pk}/acknowledge")
    assert again.status_code == 422 and fields(again) == {"status"}
    assert Entry.objects.filter(
        action="acknowledged alert", person_id=cast.alice.pk, actor="helen"
    ).exists()


def test_the_dashboards_figures_name_only_what_the_reader_may_see(cast, api, alice_case):
    board = api(cast.sarah).get("/api/v1/oversight")
    assert board.status_code == 200, board.json()
    figures = board.json()
    assert figures["cases_waiting"] >= 1
    assert alice_case.pk in {c["id"] for c in figures["oldest_cases"]}
    assert {(h["service_id"], h["category"]) for h in figures["heat"]} >= {
        (cast.rose.pk, "neglect")
    }
    assert Entry.objects.filter(
        action="viewed oversight dashboard", person_id=cast.alice.pk, actor="sarah"
    ).exists()
    for who in (cast.nia, cast.david, cast.grace, cast.owen):
        assert api(who).get("/api/v1/oversight").status_code == 403
    assert api(cast.olivia).get("/api/v1/oversight").json()["cases_waiting"] == 0


def test_the_concerns_behind_a_square_of_the_heat_map(cast, api, alice_case):
    path = f"/api/v1/oversight/services/{cast.rose.pk}/neglect"
    concerns = api(cast.helen).get(path)
    assert concerns.status_code == 200
    assert [c["person_ids"] for c in concerns.json()] == [[cast.alice.pk]] * 3
    assert api(cast.nia).get(path).status_code == 403
    assert api(cast.olivia).get(path).status_code == 404


def test_notifications_are_listed_and_marked_read(cast, api, alice_case):
    sarah = api(cast.sarah)
    listed = sarah.get("/api/v1/notifications", {"unread": "true"}).json()
    assert listed["unread"] >= 1
    assert alice_case.alerts.first().pk in {n["alert_id"] for n in listed["results"]}
    marked = sarah.post("/api/v1/notifications/read")
    assert marked.status_code == 200 and marked.json()["marked"] == listed["unread"]
    assert not Notification.objects.filter(recipient=cast.sarah, read_at__isnull=True).exists()
    # Nobody marks another's notifications: Helen's stay unread.
    assert Notification.objects.filter(recipient=cast.helen, read_at__isnull=True).exists()


def test_the_lead_tries_proposed_rules_and_bad_input_is_named(cast, api, alice_case):
    sarah = api(cast.sarah)
    today = timezone.localdate()
    body = {
        "start": (today - timedelta(days=60)).isoformat(),
        "end": today.isoformat(),
        "document": {"cumulative": {"concerns": 2}},
    }
    tried = sarah.post("/api/v1/policy/patterns/backtest", body)
    assert tried.status_code == 200, tried.json()
    totals = {t["title"]: t for t in tried.json()["totals"]}
    assert totals["Cumulative concerns"]["proposed"] >= totals["Cumulative concerns"]["in_force"]
    assert cast.alice.pk in {r["person_id"] for r in tried.json()["rows"]}

    backwards = {**body, "start": today.isoformat(), "end": body["start"]}
    assert fields(sarah.post("/api/v1/policy/patterns/backtest", backwards)) == {"end"}
    unknown = {**body, "document": {"cumulative": {"people": 2}}}
    assert fields(sarah.post("/api/v1/policy/patterns/backtest", unknown)) == {"document"}
    for who in (cast.helen, cast.nia, cast.david):
        assert api(who).post("/api/v1/policy/patterns/backtest", body).status_code == 403


def test_read_only_oversight_pages_refuse_a_post(cast, alice_case):
    client = signed_in(cast.sarah)
    alert = alice_case.alerts.first()
    for path in ("/oversight/", "/alerts/", f"/cases/{alice_case.pk}/", f"/alerts/{alert.pk}/"):
        assert client.post(path).status_code == 405, path
    assert CaseForDecision.objects.get(pk=alice_case.pk).decided_at is None
