"""A change that is incomplete or contradicts itself is refused when it is made, with
the field named in a 422, and nothing of it is kept: not accepted now and found out
later (at send, at review, on the next concern recorded)."""

from datetime import timedelta

from django.utils import timezone

from conftest import audit_finding, record_concern
from sharewise.api.tests.test_concerns_api import body
from sharewise.concerns.models import Amendment, Concern
from sharewise.governance.models import Action, Lesson, Supervision
from sharewise.organisations.models import ApiToken
from sharewise.patterns.models import Alert, AlertDecision
from sharewise.people.models import Enrolment, Person
from sharewise.policy import store
from sharewise.policy.models import PolicyVersion


def fields(response):
    assert response.status_code == 422, response.content
    return {e["field"] for e in response.json()["errors"]}


def put(client, user, path, data):
    # Made just after proving who they are, as changing policy needs (stepup).
    _, secret = ApiToken.issue(user, "test", confirmed_at=timezone.now())
    return client.put(
        path, data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )


# Concerns


def test_a_linked_alleged_source_must_agree_with_who_the_concern_says_it_was(cast, api):
    staff = api(cast.nia).post(
        "/api/v1/concerns",
        body(cast, source_kind="family_friend", source_staff_id=cast.tom.pk),
    )
    assert "source_staff_id" in fields(staff)
    person = api(cast.nia).post(
        "/api/v1/concerns",
        body(cast, source_kind="staff", source_person_id=cast.bob.pk, source_description="x"),
    )
    assert "source_person_id" in fields(person)
    assert not Concern.objects.exists()


def test_an_amendment_is_refused_when_it_undoes_what_recording_requires(cast, api):
    concern = record_concern(cast, person=cast.alice, days_ago=3)
    url = f"/api/v1/concerns/{concern.pk}/amendments"
    reason = "Corrected after talking to the night nurse"
    future = (timezone.now() + timedelta(days=2)).isoformat()
    before_birth = "1900-01-01T10:00:00+00:00"
    cases = {
        "facts": {"facts": "   "},
        "immediate_action": {"immediate_action": ""},
        "occurred_at": {"occurred_at": future},
        "shift": {"shift": "graveyard"},
        "categories": {"categories": ["child_sexual_exploitation"]},
        "persons_wishes": {"persons_wishes": ["not", "text"]},
    }
    for field, changes in cases.items():
        response = api(cast.nia).post(url, {"reason": reason, "changes": changes})
        assert fields(response) == {field}, (field, response.json())
    born = api(cast.nia).post(url, {"reason": reason, "changes": {"occurred_at": before_birth}})
    assert "before Alice Moore was born" in born.json()["errors"][0]["message"]
    assert not Amendment.objects.exists()
    other_shift = "night" if concern.shift != "night" else "late"  # a real change at any hour
    fine = api(cast.nia).post(url, {"reason": reason, "changes": {"shift": other_shift}})
    assert fine.status_code == 201


# Alerts


def test_a_date_to_monitor_until_with_another_outcome_is_refused(cast, api):
    for days_ago in (40, 20, 2):
        record_concern(cast, days_ago=days_ago)
    alert = Alert.objects.get(rule="cumulative")
    response = api(cast.sarah).post(
        f"/api/v1/alerts/{alert.pk}/decision",
        {
            "outcome": "escalate",
            "rationale": "Three concerns in a month: the council should look at this now.",
            "monitor_until": str(timezone.localdate() + timedelta(days=30)),
        },
    )
    assert fields(response) == {"monitor_until"}
    assert not AlertDecision.objects.exists()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


# Policy


def test_a_misspelt_or_incomplete_pattern_policy_is_refused_when_saved(cast, api, client):
    current = api(cast.sarah).get("/api/v1/policy/patterns").json()
    document = current["document"]
    typo = put(
        client,
        cast.sarah,
        "/api/v1/policy/patterns",
        {"document": {**document, "cumulativ": {"concerns": 5}}, "note": "Raise the bar"},
    )
    assert fields(typo) == {"document.cumulativ"}
    assert (
        "The policy: Sharewise has no setting called 'cumulativ'"
        in typo.json()["errors"][0]["message"]
    )
    nested = put(
        client,
        cast.sarah,
        "/api/v1/policy/patterns",
        {"document": {**document, "cumulative": {**document["cumulative"], "concern": 5}}},
    )
    assert fields(nested) == {"document.cumulative.concern"}
    weights = {**document["risk_score"], "severity_weights": {"low": 1, "high": 4}}
    partial = put(
        client,
        cast.sarah,
        "/api/v1/policy/patterns",
        {"document": {**document, "risk_score": weights}},
    )
    assert fields(partial) == {"document.risk_score.severity_weights"}
    assert "missing: moderate, immediate" in partial.json()["errors"][0]["message"]
    assert PolicyVersion.objects.filter(kind="patterns").count() == 1
    # What the store keeps in force is still whole: a concern of any severity scores.
    record_concern(cast, days_ago=1, severity="immediate")


def test_a_recording_standard_must_check_an_answer_that_exists(cast):
    import pytest
    from pydantic import ValidationError

    _, policy = store.in_force(cast.org.pk, "recording")
    document = policy.model_dump(mode="json")
    document["standards"][0]["check"] = "fact"
    with pytest.raises(ValidationError) as error:
        store.save_version(cast.org.pk, "recording", document, cast.sarah)
    assert error.value.errors()[0]["loc"] == ("standards", 0, "check")


# Governance


def test_an_action_on_a_closed_finding_is_refused(cast, api):
    from sharewise.governance import actions

    _, finding = audit_finding(cast, person=cast.alice, concern=record_concern(cast, days_ago=5))
    request = type("R", (), {"user": cast.sarah, "META": {}, "session": None})()
    actions.close_finding(request, finding, "Put right at the time by the night manager.")
    response = api(cast.sarah).post(
        f"/api/v1/findings/{finding.pk}/actions",
        {
            "description": "Remind the night team about review deadlines",
            "owner_id": cast.helen.pk,
            "due": str(timezone.localdate() + timedelta(days=14)),
        },
    )
    assert fields(response) == {"finding"}
    assert not Action.objects.exists()


def test_an_answer_to_a_challenge_question_the_policy_does_not_ask_is_refused(cast, api):
    response = api(cast.helen).post(
        "/api/v1/supervisions",
        {
            "staff_id": cast.nia.pk,
            "responses": {"1": "The night nurse might have seen something.", "9": "Lost"},
            "reflection": "I did not ask who else was there.",
            "learning": "Ask the whole shift what they saw.",
        },
    )
    assert fields(response) == {"responses.9"}
    assert not Supervision.objects.exists()


def test_a_lesson_naming_a_policy_version_that_is_not_one_is_refused(cast, api):
    response = api(cast.david).post(
        "/api/v1/lessons",
        {
            "title": "Whole care records sent to the council",
            "source": "complaint",
            "what_happened": "A referral carried the medication list and other residents' names.",
            "failure_pattern": "over_sharing",
            "measure": "referrals_within_minimum",
            "changed_on": str(cast.today - timedelta(days=5)),
            "policy_versions": [-1],
        },
    )
    assert fields(response) == {"policy_versions"}
    assert not Lesson.objects.exists()


# People


def test_support_cannot_start_before_the_person_was_born(cast, api):
    enrolled = api(cast.sarah).post(
        f"/api/v1/people/{cast.alice.pk}/enrolments",
        {"team_id": cast.day.pk, "start_date": "1930-01-01"},
    )
    assert fields(enrolled) == {"start_date"}
    assert not Enrolment.objects.filter(person=cast.alice, team=cast.day).exists()
    added = api(cast.sarah).post(
        "/api/v1/people",
        {
            "given_name": "Ivy",
            "family_name": "Stone",
            "date_of_birth": "1950-05-01",
            "team_id": cast.day.pk,
            "start_date": "1949-01-01",
        },
    )
    assert fields(added) == {"start_date"}
    assert not Person.objects.filter(family_name="Stone").exists()


# Any body


def test_a_misspelt_field_is_refused_not_ignored(cast, api):
    for days_ago in (40, 20, 2):
        record_concern(cast, days_ago=days_ago)
    alert = Alert.objects.get(rule="cumulative")
    response = api(cast.sarah).post(
        f"/api/v1/alerts/{alert.pk}/decision",
        {
            "outcome": "monitor",
            "rationale": "Three small concerns: watch the next month closely with the family.",
            "monitor_untill": str(timezone.localdate() + timedelta(days=30)),
        },
    )
    assert fields(response) == {"monitor_untill"}
    assert not AlertDecision.objects.exists()


def test_every_request_body_refuses_a_field_it_does_not_have():
    from pydantic import BaseModel

    from sharewise.api.tests.test_openapi import _classes, operations
    from sharewise.api.urls import api as ninja_api

    bodies: set = set()
    for operation in operations(ninja_api):
        for model in operation.models:
            if model.__ninja_param_source__ == "body":
                for field in model.model_fields.values():
                    _classes(field.annotation, bodies)
    assert len(bodies) > 20
    lax = sorted(
        c.__name__
        for c in bodies
        if issubclass(c, BaseModel) and c.model_config.get("extra") != "forbid"
    )
    assert lax == []
