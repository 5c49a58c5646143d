"""Inputs that once gave a server error on PostgreSQL: a NUL character in any text,
a UTC offset past 15:59 and a moment in the year 1. Each is refused, naming the field:
422 from the API, a page saying what to fix in the browser. (Run on PostgreSQL too;
SQLite would have stored them.)"""

from datetime import timedelta

import pytest

from conftest import record_concern
from sharewise.concerns.models import Concern
from sharewise.governance.models import Meeting
from sharewise.people.models import Person
from sharewise.sharing.models import ConsentRecord


def _fields(response):
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def _concern(cast, **changes):
    from django.utils import timezone

    return {
        "person_ids": [cast.alice.pk],
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "team_id": cast.night.pk,
        "categories": ["neglect"],
        "information_source": "observed",
        "facts": "Found without a drink.",
        "sharing_view": "agrees",
        "immediate_action": "Gave her a drink.",
        "severity": "low",
        **changes,
    }


def test_a_nul_in_any_text_of_a_body_is_named(cast, api):
    helen = api(cast.helen)
    person = {
        "given_name": "Ivy\x00",
        "family_name": "Newman",
        "date_of_birth": "1944-02-03",
        "team_id": cast.night.pk,
        "start_date": cast.today.isoformat(),
    }
    assert "NUL" in _fields(helen.post("/api/v1/people", person))["given_name"]
    assert not Person.objects.filter(family_name="Newman").exists()
    nested = api(cast.nia).post("/api/v1/concerns", _concern(cast, categories=["neglect\x00"]))
    assert _fields(nested) == {
        "categories": "Remove the NUL character (\\x00): it cannot be stored"
    }
    supervision = helen.post(
        "/api/v1/supervisions",
        {
            "staff_id": cast.nia.pk,
            "responses": {"0": "Could be neglect\x00"},
            "reflection": "r",
            "learning": "l",
        },
    )
    assert any(f.startswith("responses") for f in _fields(supervision))


def test_a_nul_in_a_query_parameter_is_named(cast, api, as_user):
    answer = api(cast.sarah).get("/api/v1/people", {"q": "Al\x00ice"})
    assert _fields(answer) == {"q": "Remove the NUL character (\\x00): it cannot be stored"}
    page = as_user(cast.sarah).get("/people/", {"q": "Al\x00ice"})
    assert page.status_code == 400
    assert "q: remove the NUL character" in page.content.decode()


def test_a_nul_in_a_form_is_refused_with_a_page_naming_the_field(cast, as_user):
    page = as_user(cast.helen).post(
        "/people/new/",
        {"given_name": "Ivy", "family_name": "New\x00man", "team": cast.night.pk},
    )
    assert page.status_code == 400
    text = page.content.decode()
    assert "There is a problem with what you sent" in text
    assert "family_name: remove the NUL character" in text
    assert not Person.objects.filter(given_name="Ivy").exists()


@pytest.mark.parametrize("offset", ["+16:00", "-16:00", "+23:59"])
def test_an_offset_past_15_59_is_named(cast, api, offset):
    soon = (cast.today + timedelta(days=14)).isoformat()
    meeting = api(cast.sarah).post("/api/v1/meetings", {"held_at": f"{soon}T10:00:00{offset}"})
    assert "-15:59 and +15:59" in _fields(meeting)["held_at"]
    assert not Meeting.objects.exists()
    yesterday = (cast.today - timedelta(days=1)).isoformat()
    concern = api(cast.nia).post(
        "/api/v1/concerns", _concern(cast, occurred_at=f"{yesterday}T10:00:00{offset}")
    )
    assert "occurred_at" in _fields(concern)
    consent = api(cast.nia).post(
        "/api/v1/consents",
        {
            "person_id": cast.alice.pk,
            "purpose": "Telling the council about the bruising",
            "outcome": "refused",
            "explained_how": "Sat with her and explained who would be told and why.",
            "capacity": "presumed",
            "asked_at": f"{yesterday}T10:00:00{offset}",
        },
    )
    assert "asked_at" in _fields(consent)
    assert not ConsentRecord.objects.exists()


def test_an_amendment_with_an_offset_past_15_59_is_named(cast, api):
    concern = record_concern(cast)
    amended = api(cast.nia).post(
        f"/api/v1/concerns/{concern.pk}/amendments",
        {"reason": "Wrong time", "changes": {"occurred_at": "2026-11-24T22:30:00+18:00"}},
    )
    assert "-15:59 and +15:59" in _fields(amended)["occurred_at"]
    assert Concern.objects.get(pk=concern.pk).occurred_at == concern.occurred_at


@pytest.mark.parametrize(
    "held_at", ["0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00Z", "0001-01-05T10:00:00"]
)
def test_a_meeting_in_the_year_1_is_named(cast, api, held_at):
    meeting = api(cast.sarah).post("/api/v1/meetings", {"held_at": held_at})
    assert "held_at" in _fields(meeting)
    assert not Meeting.objects.exists()


def test_a_trail_search_to_the_last_day_of_9999_has_no_end(cast, api, as_user):
    found = api(cast.sarah).get("/api/v1/audit-trail", {"until": "9999-12-31"})
    assert found.status_code == 200
    page = as_user(cast.sarah).get(
        "/audit-trail/", {"until_0": "31", "until_1": "12", "until_2": "9999"}
    )
    assert page.status_code == 200


def test_an_audit_of_the_first_days_of_the_calendar_is_accepted(cast, api):
    first = api(cast.sarah).post(
        "/api/v1/audits", {"period_from": "0001-01-01", "period_to": "0001-01-02"}
    )
    assert first.status_code == 202
    too_long = api(cast.sarah).post(
        "/api/v1/audits", {"period_from": "0001-01-01", "period_to": cast.today.isoformat()}
    )
    assert "at most" in _fields(too_long)["period_from"]


def test_the_refusal_page_keeps_the_content_security_policy(cast, as_user):
    page = as_user(cast.nia).get("/people/", {"q": "\x00"})
    assert page.status_code == 400
    assert "default-src" in page.headers["Content-Security-Policy"]


def test_numbers_and_true_or_false_are_not_quietly_read_as_something_else(cast, api):
    sarah = api(cast.sarah)
    day = _fields(sarah.get("/api/v1/audit-trail", {"until": "0"}))
    assert day == {"until": "Give the day as YYYY-MM-DD, for example 2026-03-31"}
    assert "since" in _fields(sarah.get("/api/v1/disclosures", {"since": "20261201"}))
    assert sarah.get("/api/v1/disclosures", {"since": "2026-12-01"}).status_code == 200
    meeting = sarah.post(
        "/api/v1/meetings", {"held_at": "2030-01-01T10:00:00Z", "service_id": False}
    )
    assert _fields(meeting) == {"service_id": "Give a number, not true or false"}
    seconds = sarah.post("/api/v1/meetings", {"held_at": 1893456000})
    assert "YYYY-MM-DD" in _fields(seconds)["held_at"]
    assert not Meeting.objects.exists()


def test_signing_in_with_a_nul_is_refused_before_anything_is_looked_up(client, cast):
    page = client.post("/sign-in/", {"username": "nia\x00", "password": "x"})
    assert page.status_code == 400
    assert "username: remove the NUL character" in page.content.decode()
