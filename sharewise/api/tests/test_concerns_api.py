"""The concerns API: the same checks as the form, scoped, and JSON errors by field."""

from datetime import timedelta

from django.utils import timezone

from sharewise.audittrail.models import Entry
from sharewise.concerns.models import Concern


def body(cast, **overrides):
    data = {
        "person_ids": [cast.alice.pk],
        "occurred_at": (timezone.now() - timedelta(hours=3)).isoformat(),
        "team_id": cast.night.pk,
        "categories": ["neglect"],
        "risk_indicators": ["none"],
        "information_source": "observed",
        "facts": "Alice's call bell was out of reach for the whole night.",
        "persons_wishes": "She wants the bell left by her hand.",
        "sharing_view": "agrees",
        "injury": "none",
        "source_kind": "unknown",
        "immediate_action": "Put the bell in reach and checked on her hourly.",
        "who_was_told": "Nurse in charge",
        "severity": "low",
    }
    data.update(overrides)
    return data


def test_recording_a_concern_through_the_api(cast, api):
    response = api(cast.nia).post("/api/v1/concerns", body(cast))
    assert response.status_code == 201, response.json()
    concern = response.json()
    assert concern["person_ids"] == [cast.alice.pk]
    assert (concern["service"], concern["team"]) == ("Rose House", "Night team")
    assert concern["unmet_standards"] == []
    assert Entry.objects.filter(
        action="recorded concern", person_id=cast.alice.pk, actor="nia"
    ).exists()


def test_bad_input_is_reported_field_by_field_and_nothing_is_saved(cast, api):
    response = api(cast.nia).post(
        "/api/v1/concerns",
        body(
            cast,
            occurred_at=(timezone.now() + timedelta(days=1)).isoformat(),
            categories=["made_up"],
            facts="",
            severity="catastrophic",
        ),
    )
    assert response.status_code == 422
    errors = {e["field"] for e in response.json()["errors"]}
    assert {"occurred_at", "categories", "facts", "severity"} <= errors
    assert not Concern.objects.exists()


def test_a_person_out_of_scope_is_404_and_nothing_is_saved(cast, api):
    response = api(cast.nia).post(
        "/api/v1/concerns", body(cast, person_ids=[cast.alice.pk, cast.bob.pk])
    )
    assert response.status_code == 404
    assert not Concern.objects.exists()


def test_a_team_of_another_organisation_is_refused(cast, api):
    response = api(cast.nia).post("/api/v1/concerns", body(cast, team_id=cast.other_team.pk))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "team_id"


def test_amend_review_and_read_back(cast, api):
    concern_id = api(cast.nia).post("/api/v1/concerns", body(cast)).json()["id"]
    amended = api(cast.nia).post(
        f"/api/v1/concerns/{concern_id}/amendments",
        {
            "reason": "The bell was out of reach only after midnight",
            "changes": {"facts": "After midnight the bell was out of reach."},
        },
    )
    assert amended.status_code == 201
    read = amended.json()
    assert read["facts"].startswith("Alice's call bell")
    assert read["current"]["facts"] == "After midnight the bell was out of reach."
    assert (
        api(cast.nia)
        .post(
            f"/api/v1/concerns/{concern_id}/review", {"outcome": "monitor", "rationale": "x" * 20}
        )
        .status_code
        == 403
    )
    missing_reason = api(cast.helen).post(
        f"/api/v1/concerns/{concern_id}/review", {"outcome": "monitor", "rationale": ""}
    )
    assert missing_reason.status_code == 422
    reviewed = api(cast.helen).post(
        f"/api/v1/concerns/{concern_id}/review",
        {
            "outcome": "no_further_action",
            "rationale": "Bell position added to the night checklist.",
        },
    )
    assert reviewed.json()["review"]["outcome"] == "no_further_action"
    assert api(cast.tom).get(f"/api/v1/concerns/{concern_id}").status_code == 404


def test_listing_concerns_by_status_and_team(cast, api):
    nia = api(cast.nia)
    first = nia.post("/api/v1/concerns", body(cast)).json()["id"]
    nia.post("/api/v1/concerns", body(cast))
    Concern.objects.filter(pk=first).update(review_due_at=timezone.now() - timedelta(hours=1))
    sarah = api(cast.sarah)
    assert sarah.get("/api/v1/concerns", {"status": "overdue"}).json()["count"] == 1
    assert sarah.get("/api/v1/concerns", {"status": "open"}).json()["count"] == 2
    assert sarah.get("/api/v1/concerns", {"team": cast.day.pk}).json()["count"] == 0
    assert api(cast.tom).get("/api/v1/concerns").json()["count"] == 0
    assert sarah.get("/api/v1/concerns", {"status": "closed"}).status_code == 422


def test_the_chronology_through_the_api(cast, api):
    api(cast.nia).post("/api/v1/concerns", body(cast))
    api(cast.helen).post(
        "/api/v1/concerns", body(cast, team_id=cast.day.pk, categories=["psychological"])
    )
    chronology = api(cast.sarah).get(f"/api/v1/people/{cast.alice.pk}/chronology").json()
    assert chronology["concerns"] == 2
    assert chronology["teams"] == ["Day team, Rose House", "Night team, Rose House"]
    only = (
        api(cast.sarah)
        .get(f"/api/v1/people/{cast.alice.pk}/chronology", {"category": "psychological"})
        .json()
    )
    assert only["concerns"] == 1
    assert api(cast.tom).get(f"/api/v1/people/{cast.alice.pk}/chronology").status_code == 404


def test_the_implicated_staff_member_cannot_see_the_concern_through_the_api(cast, api):
    concern_id = (
        api(cast.helen)
        .post("/api/v1/concerns", body(cast, source_kind="staff", source_staff_id=cast.nia.pk))
        .json()["id"]
    )
    assert api(cast.nia).get(f"/api/v1/concerns/{concern_id}").status_code == 404
    assert api(cast.nia).get(f"/api/v1/people/{cast.alice.pk}/chronology").json()["concerns"] == 0
