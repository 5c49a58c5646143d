"""The lead assigns a practice case or a policy to read; it reaches exactly the staff
chosen, who are told, and the lead sees who has done it."""

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest

from sharewise.patterns.models import Notification
from sharewise.policy import changes, store
from sharewise.training import assignments, casebook, receipts
from sharewise.training.models import Assigned, Assignment, Attempt

CASES = {"refusal-night": "Refused at night", "nephew-money": "Money from her purse"}


@pytest.fixture(autouse=True)
def _cases(monkeypatch):
    monkeypatch.setattr(casebook, "titles", lambda: dict(CASES))


def by(user):
    return SimpleNamespace(user=user, META={})


def day(d):
    return {"due_0": d.day, "due_1": d.month, "due_2": d.year}


def reached(assignment):
    return {a.staff.username for a in assignment.assigned.select_related("staff")}


def test_an_assignment_to_a_role_and_team_reaches_exactly_those_staff(cast):
    soon = cast.today + timedelta(days=10)
    night_carers = assignments.make(
        by(cast.sarah),
        what="case",
        case_code="refusal-night",
        due=soon,
        roles=["care_worker"],
        team_ids=[cast.night.pk],
    )
    assert reached(night_carers) == {"nia"}
    rose_house = assignments.make(
        by(cast.sarah),
        what="case",
        case_code="refusal-night",
        due=soon,
        team_ids=[cast.day.pk],
    )
    assert reached(rose_house) == {"tom", "helen"}  # Helen manages all of Rose House
    carers = assignments.make(
        by(cast.sarah),
        what="policy",
        policy_kind="recording",
        due=soon,
        roles=["care_worker"],
        staff_ids=[cast.david.pk],
    )
    assert reached(carers) == {"nia", "tom", "priya", "david"}


def test_staff_reached_are_told_without_anyone_supported_named(cast):
    assignments.make(
        by(cast.sarah),
        what="case",
        case_code="nephew-money",
        due=cast.today + timedelta(days=5),
        roles=["care_worker"],
        team_ids=[cast.community.pk],
    )
    [told] = Notification.objects.filter(link="/training/")
    assert told.recipient == cast.priya
    assert "Money from her purse" in told.message
    for person in ("Alice", "Bob", "Carol", "Moore", "Hughes"):
        assert person not in told.message


def test_the_form_assigns_and_the_assignment_page_shows_who_has_not_done_it(cast, as_user):
    client = as_user(cast.sarah)
    form = client.get("/training/assignments/new/?case=nephew-money").content.decode()
    assert 'value="nephew-money" selected' in form
    response = client.post(
        "/training/assignments/new/",
        {
            "what": "case",
            "case_code": "nephew-money",
            "roles": ["care_worker"],
            "teams": [cast.night.pk, cast.day.pk],
            "note": "Before the team meeting",
            **day(cast.today + timedelta(days=7)),
        },
    )
    assert response.status_code == 302
    made = Assignment.objects.get()
    assert reached(made) == {"nia", "tom"}
    page = client.get(response["Location"]).content.decode()
    assert "Practice case “Money from her purse”" in page
    assert (
        "Care workers in Day team, Night team" in page
        or "Care workers in Night team, Day team" in page
    )
    assert "Not done yet (2)" in page and "Nia Okafor" in page and "Tom Bradley" in page
    listed = client.get("/training/assignments/").content.decode()
    assert "0 of 2" in listed


def test_a_due_date_in_the_past_is_refused_with_a_clear_message(cast, as_user, api):
    yesterday = cast.today - timedelta(days=1)
    page = as_user(cast.sarah).post(
        "/training/assignments/new/",
        {"what": "policy", "policy_kind": "recording", "roles": ["care_worker"], **day(yesterday)},
    )
    assert "The due date must be today or in the future" in page.content.decode()
    answer = api(cast.sarah).post(
        "/api/v1/training/assignments",
        {
            "what": "policy",
            "policy_kind": "recording",
            "roles": ["care_worker"],
            "due": yesterday.isoformat(),
        },
    )
    assert answer.status_code == 422
    assert {
        "field": "due",
        "message": "The due date must be today or in the future",
    } in answer.json()["errors"]
    assert not Assignment.objects.exists()


def test_an_assignment_that_reaches_nobody_is_refused(cast, as_user):
    page = (
        as_user(cast.sarah)
        .post(
            "/training/assignments/new/",
            {"what": "case", "case_code": "refusal-night", **day(cast.today)},
        )
        .content.decode()
    )
    assert "Nobody matches: choose roles, teams or named staff" in page
    page = (
        as_user(cast.sarah)
        .post(
            "/training/assignments/new/",
            {
                "what": "case",
                "case_code": "refusal-night",
                "roles": ["auditor"],
                "teams": [cast.night.pk],
                **day(cast.today),
            },
        )
        .content.decode()
    )
    assert "Nobody matches" in page
    assert not Assignment.objects.exists()


def test_a_care_worker_cannot_assign(cast, as_user, api):
    client = as_user(cast.nia)
    assert client.get("/training/assignments/").status_code == 403
    assert (
        client.post(
            "/training/assignments/new/",
            {
                "what": "case",
                "case_code": "refusal-night",
                "roles": ["care_worker"],
                **day(cast.today),
            },
        ).status_code
        == 403
    )
    answer = api(cast.nia).post(
        "/api/v1/training/assignments",
        {
            "what": "case",
            "case_code": "refusal-night",
            "roles": ["care_worker"],
            "due": cast.today.isoformat(),
        },
    )
    assert answer.status_code == 403
    assert answer.json()["message"] == "Only safeguarding leads assign training."
    assert not Assignment.objects.exists()


def test_another_organisations_assignment_is_not_found(cast, as_user, api):
    made = assignments.make(
        by(cast.sarah),
        what="case",
        case_code="refusal-night",
        due=cast.today,
        roles=["care_worker"],
    )
    assert as_user(cast.olivia).get(f"/training/assignments/{made.pk}/").status_code == 404
    assert api(cast.olivia).get(f"/api/v1/training/assignments/{made.pk}").status_code == 404


def test_confirming_the_policy_marks_the_assignment_done_with_the_version(cast, as_user):
    _, document = store.in_force(cast.org.pk, "recording")
    doc = document.model_dump(mode="json")
    doc["categories"][0]["label"] += " (any)"
    changes.save(by(cast.sarah), cast.org.pk, "recording", doc, "Wider")
    made = assignments.make(
        by(cast.sarah),
        what="policy",
        policy_kind="recording",
        due=cast.today + timedelta(days=3),
        team_ids=[cast.night.pk],
    )
    assert reached(made) == {"nia", "helen"}
    as_user(cast.nia).post("/training/policies/recording/", {"version": 2, "read": "on"})
    done = Assigned.objects.get(assignment=made, staff=cast.nia)
    assert done.completed_at and done.receipt.version == 2
    page = as_user(cast.sarah).get(f"/training/assignments/{made.pk}/").content.decode()
    assert "Done (1)" in page and "Version 2" in page and "Not done yet (1)" in page


def test_a_policy_assigned_at_the_shipped_version_can_be_confirmed(cast):
    made = assignments.make(
        by(cast.sarah),
        what="policy",
        policy_kind="information_sharing",
        due=cast.today,
        staff_ids=[cast.grace.pk],
    )
    assert [c.version for c in receipts.to_confirm(cast.grace)] == [1]
    receipts.confirm(by(cast.grace), "information_sharing", 1)
    assert Assigned.objects.get(assignment=made).receipt.version == 1


def test_a_finished_case_shows_its_score_on_the_assignment(cast, as_user):
    made = assignments.make(
        by(cast.sarah),
        what="case",
        case_code="refusal-night",
        due=cast.today,
        staff_ids=[cast.tom.pk],
    )
    attempt = Attempt.objects.create(
        organisation=cast.org,
        staff=cast.tom,
        case_code="refusal-night",
        case_title="Refused at night",
        case_digest="0" * 64,
        score=85,
    )
    assert assignments.mark_done(cast.tom, case_code="refusal-night", attempt=attempt) == 1
    page = as_user(cast.sarah).get(f"/training/assignments/{made.pk}/").content.decode()
    assert "85%" in page and "Done (1)" in page


def test_the_lead_withdraws_an_assignment_with_a_reason_and_nothing_is_deleted(cast, as_user, api):
    made = assignments.make(
        by(cast.sarah),
        what="case",
        case_code="refusal-night",
        due=cast.today,
        roles=["care_worker"],
    )
    client = as_user(cast.sarah)
    refused = client.post(f"/training/assignments/{made.pk}/withdraw/", {"reason": ""})
    assert "There is a problem" in refused.content.decode()
    client.post(
        f"/training/assignments/{made.pk}/withdraw/", {"reason": "Case replaced by a newer one"}
    )
    made.refresh_from_db()
    assert made.withdrawn_at and made.withdrawn_reason == "Case replaced by a newer one"
    assert made.assigned.count() == 3
    page = client.get(f"/training/assignments/{made.pk}/").content.decode()
    assert "Case replaced by a newer one" in page
    assert "Refused at night" not in as_user(cast.nia).get("/training/").content.decode()
    again = api(cast.sarah).post(
        f"/api/v1/training/assignments/{made.pk}/withdraw", {"reason": "Twice over now"}
    )
    assert again.status_code == 422 and "already withdrawn" in json.dumps(again.json())


def test_the_api_assigns_from_a_lesson_and_lists_who_has_done_it(cast, api):
    lead = api(cast.sarah)
    made = lead.post(
        "/api/v1/training/assignments",
        {
            "what": "case",
            "case_code": "refusal-night",
            "roles": ["care_worker"],
            "team_ids": [cast.night.pk],
            "due": cast.today.isoformat(),
            "source": "lesson",
            "source_id": 12,
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["source"], body["source_id"]) == ("lesson", 12)
    assert [a["staff"] for a in body["assigned"]] == ["Nia Okafor"]
    listed = lead.get("/api/v1/training/assignments").json()
    assert [(a["id"], a["reached"], a["done"]) for a in listed] == [(body["id"], 1, 0)]
    one = lead.get(f"/api/v1/training/assignments/{body['id']}").json()
    assert one["assigned"][0]["completed_at"] is None
