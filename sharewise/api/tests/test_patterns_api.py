"""The alerts API: who sees which alerts, deciding them in writing, a person's risk
score, and the pattern policy."""

import json
from datetime import timedelta

import pytest

from conftest import record_concern
from sharewise.audittrail.models import Entry
from sharewise.patterns.models import Alert


@pytest.fixture
def alice_alert(cast):
    """Three concerns about Alice on the Night team: a cumulative alert."""
    concerns = [record_concern(cast, days_ago=d) for d in (40, 20, 2)]
    alert = Alert.objects.get(rule="cumulative", subject=f"person:{cast.alice.pk}")
    alert.concern_list = concerns
    return alert


def fields(response):
    return {e["field"] for e in response.json()["errors"]}


def put(client, secret, path, body):
    return client.put(
        path,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )


def test_the_lead_lists_waiting_alerts_and_sees_alices_with_its_reasons(cast, api, alice_alert):
    response = api(cast.sarah).get("/api/v1/alerts", {"status": "waiting"})
    assert response.status_code == 200, response.json()
    page = response.json()
    [item] = [a for a in page["results"] if a["id"] == alice_alert.pk]
    assert item["rule"] == "cumulative"
    assert item["title"] == "Cumulative concerns"
    assert item["person_id"] == cast.alice.pk
    assert item["status"] == "open"
    assert item["explanation"].startswith("3 concerns about one person")
    assert sorted(item["concern_ids"]) == sorted(c.pk for c in alice_alert.concern_list)
    assert item["policy_version"] == 1
    assert page["count"] == len(page["results"])


def test_filters_by_rule_person_and_status(cast, api, alice_alert):
    record_concern(cast, person=cast.bob, team=cast.day, by=cast.tom, days_ago=3)
    record_concern(cast, person=cast.bob, team=cast.night, days_ago=1)  # a second team
    sarah = api(cast.sarah)

    by_rule = sarah.get("/api/v1/alerts", {"rule": "cross_team"}).json()["results"]
    assert by_rule and {a["rule"] for a in by_rule} == {"cross_team"}
    assert {a["person_id"] for a in by_rule} == {cast.bob.pk}

    by_person = sarah.get("/api/v1/alerts", {"person": cast.alice.pk}).json()["results"]
    assert alice_alert.pk in {a["id"] for a in by_person}
    assert {a["person_id"] for a in by_person} == {cast.alice.pk}

    assert sarah.get("/api/v1/alerts", {"status": "decided"}).json()["results"] == []
    assert fields(sarah.get("/api/v1/alerts", {"rule": "made_up"})) == {"rule"}
    assert fields(sarah.get("/api/v1/alerts", {"status": "closed"})) == {"status"}


def test_a_care_worker_cannot_list_or_open_alerts(cast, api, alice_alert):
    nia = api(cast.nia)
    listed = nia.get("/api/v1/alerts")
    assert listed.status_code == 403
    assert listed.json()["message"]
    opened = nia.get(f"/api/v1/alerts/{alice_alert.pk}")
    assert opened.status_code == 404
    assert opened.json() == {"message": "Not found, or not yours to see."}


def test_a_staff_member_named_as_source_sees_neither_alert_nor_the_concern(cast, api):
    named = record_concern(
        cast, source_kind="staff", source_staff=cast.helen, categories=["physical"], days_ago=1
    )
    record_concern(cast, days_ago=10)
    record_concern(cast, days_ago=20)
    for d in (5, 15, 25):  # Bob's alert, which Helen still sees
        record_concern(cast, person=cast.bob, team=cast.day, by=cast.tom, days_ago=d)
    bobs = Alert.objects.get(rule="cumulative", subject=f"person:{cast.bob.pk}")
    staff_alert = Alert.objects.get(
        rule="staff_implicated", subject=f"source:staff:{cast.helen.pk}"
    )
    cumulative = Alert.objects.get(rule="cumulative", subject=f"person:{cast.alice.pk}")
    helen = api(cast.helen)

    listed = helen.get("/api/v1/alerts", {"page_size": 100}).json()["results"]
    assert bobs.pk in {a["id"] for a in listed}
    assert not {staff_alert.pk, cumulative.pk} & {a["id"] for a in listed}
    assert all(named.pk not in a["concern_ids"] for a in listed)
    for alert in (staff_alert, cumulative):
        assert helen.get(f"/api/v1/alerts/{alert.pk}").status_code == 404
        assert helen.post(f"/api/v1/alerts/{alert.pk}/acknowledge").status_code == 404
    # The lead sees both, with the concern.
    seen = api(cast.sarah).get(f"/api/v1/alerts/{cumulative.pk}").json()
    assert named.pk in seen["concern_ids"] and seen["hidden_concerns"] == 0


def test_a_manager_sees_the_alert_and_acknowledges_it_but_cannot_decide(cast, api, alice_alert):
    helen = api(cast.helen)
    detail = helen.get(f"/api/v1/alerts/{alice_alert.pk}").json()
    assert len(detail["concern_ids"]) == 3 and detail["hidden_concerns"] == 0
    assert [e["kind"] for e in detail["events"]][0] == "raised"

    acknowledged = helen.post(f"/api/v1/alerts/{alice_alert.pk}/acknowledge")
    assert acknowledged.status_code == 200
    assert acknowledged.json()["status"] == "acknowledged"
    assert acknowledged.json()["acknowledged_by"] == "helen"
    again = helen.post(f"/api/v1/alerts/{alice_alert.pk}/acknowledge")
    assert again.status_code == 422 and fields(again) == {"status"}

    refused = helen.post(
        f"/api/v1/alerts/{alice_alert.pk}/decision",
        {"outcome": "no_further_action", "rationale": "Nothing more to do here than keep watch."},
    )
    assert refused.status_code == 403
    alice_alert.refresh_from_db()
    assert alice_alert.status == Alert.Status.ACKNOWLEDGED


def test_a_decision_needs_reasons_and_a_date_to_monitor_until(cast, api, alice_alert):
    sarah = api(cast.sarah)
    url = f"/api/v1/alerts/{alice_alert.pk}/decision"

    no_reasons = sarah.post(url, {"outcome": "no_further_action"})
    assert no_reasons.status_code == 422
    assert "rationale" in fields(no_reasons)

    no_date = sarah.post(
        url, {"outcome": "monitor", "rationale": "Watch for any further sign of neglect at night."}
    )
    assert no_date.status_code == 422
    assert fields(no_date) == {"monitor_until"}

    past = sarah.post(
        url,
        {
            "outcome": "monitor",
            "rationale": "Watch for any further sign of neglect at night.",
            "monitor_until": (cast.today - timedelta(days=1)).isoformat(),
        },
    )
    assert past.status_code == 422 and fields(past) == {"monitor_until"}
    alice_alert.refresh_from_db()
    assert alice_alert.status == Alert.Status.OPEN


def test_the_leads_decision_closes_the_alert_until_a_new_concern_reopens_it(cast, api, alice_alert):
    sarah = api(cast.sarah)
    until = (cast.today + timedelta(days=30)).isoformat()
    response = sarah.post(
        f"/api/v1/alerts/{alice_alert.pk}/decision",
        {
            "outcome": "monitor",
            "rationale": "Night staff check the call bell each round; review in a month.",
            "monitor_until": until,
        },
    )
    assert response.status_code == 201, response.json()
    decision = response.json()
    assert (decision["outcome"], decision["monitor_until"]) == ("monitor", until)
    assert decision["decided_by"] == "sarah"

    detail = sarah.get(f"/api/v1/alerts/{alice_alert.pk}").json()
    assert detail["status"] == "decided"
    assert [d["outcome"] for d in detail["decisions"]] == ["monitor"]
    twice = sarah.post(
        f"/api/v1/alerts/{alice_alert.pk}/decision",
        {"outcome": "escalate", "rationale": "Changed my mind after speaking to her family."},
    )
    assert twice.status_code == 422 and fields(twice) == {"outcome"}

    record_concern(cast, days_ago=0)
    reopened = sarah.get(f"/api/v1/alerts/{alice_alert.pk}").json()
    assert reopened["status"] == "open"
    assert len(reopened["concern_ids"]) == 4
    assert reopened["events"][-1]["kind"] == "reopened"


def test_reading_alerts_is_written_to_alices_trail(cast, api, alice_alert):
    sarah = api(cast.sarah)
    sarah.get(f"/api/v1/alerts/{alice_alert.pk}")
    sarah.get("/api/v1/alerts")
    actions = set(
        Entry.objects.filter(
            person_id=cast.alice.pk, actor="sarah", action__contains="alert"
        ).values_list("action", flat=True)
    )
    assert {"viewed alert", "listed alerts"} <= actions


def test_a_persons_risk_score_and_the_alerts_about_them(cast, api, alice_alert):
    risk = api(cast.sarah).get(f"/api/v1/people/{cast.alice.pk}/risk")
    assert risk.status_code == 200, risk.json()
    body = risk.json()
    assert body["score"] > 0 and body["threshold"] == 6.0
    assert body["over_threshold"] == (body["score"] >= body["threshold"])
    assert set(body["concern_ids"]) == {c.pk for c in alice_alert.concern_list}
    assert alice_alert.pk in {a["id"] for a in body["open_alerts"]}
    assert Entry.objects.filter(
        person_id=cast.alice.pk, actor="sarah", action="viewed risk score"
    ).exists()

    # A care worker sees the score, but no alerts; someone else's team answers 404.
    nia = api(cast.nia).get(f"/api/v1/people/{cast.alice.pk}/risk").json()
    assert nia["score"] == body["score"] and nia["open_alerts"] == []
    assert api(cast.tom).get(f"/api/v1/people/{cast.alice.pk}/risk").status_code == 404

    quiet = api(cast.sarah).get(f"/api/v1/people/{cast.carol.pk}/risk").json()
    assert (quiet["score"], quiet["over_threshold"], quiet["concern_ids"]) == (0, False, [])


def test_the_lead_changes_the_pattern_policy_and_a_bad_value_is_named(cast, api, client):
    sarah = api(cast.sarah)
    first = sarah.get("/api/v1/policy/patterns").json()
    assert first["version"] == 1 and first["document"]["cumulative"]["concerns"] == 3

    document = {**first["document"], "cumulative": {"concerns": 0, "days": 90}}
    bad = put(client, sarah.secret, "/api/v1/policy/patterns", {"document": document})
    assert bad.status_code == 422
    assert fields(bad) == {"document.cumulative.concerns"}
    assert "Several concerns about one person: concerns needed must be 1 or more" in str(bad.json())
    same = put(client, sarah.secret, "/api/v1/policy/patterns", {"document": first["document"]})
    assert same.status_code == 200 and same.json()["version"] == 1  # nothing changed

    document["cumulative"]["concerns"] = 4
    saved = put(
        client,
        sarah.secret,
        "/api/v1/policy/patterns",
        {"document": document, "note": "Fewer alerts for the pilot"},
    )
    assert saved.status_code == 200, saved.json()
    assert saved.json()["version"] == 2
    now = sarah.get("/api/v1/policy/patterns").json()
    assert (now["version"], now["note"], now["created_by"]) == (
        2,
        "Fewer alerts for the pilot",
        "sarah",
    )
    assert now["document"]["cumulative"]["concerns"] == 4
    assert Entry.objects.filter(
        action="changed policy", actor="sarah", object_type="policy"
    ).exists()


def test_only_leads_read_or_change_the_pattern_policy(cast, api, client):
    helen = api(cast.helen)
    assert helen.get("/api/v1/policy/patterns").status_code == 403
    refused = put(client, helen.secret, "/api/v1/policy/patterns", {"document": {}})
    assert refused.status_code == 403
