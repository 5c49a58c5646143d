"""Each request and each background task leaves one JSON line a log shipper can read:
ids, route, status, duration; never a name, what someone wrote, or a query string."""

import io
import json
import logging
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks import task
from django_tasks_db.management.commands import db_worker

from sharewise.people.models import Enrolment, Person

NAME = ("Philomena", "Quartermaine-Zebedee")
WRITTEN = "Philomena said the lodger takes her pension book every Thursday"
QUERY = "wanted=Ottoline-Fairweather"


@pytest.fixture
def json_log():
    """What the configured JSON lines handler writes."""
    handler = logging.getLogger("sharewise.requests").handlers[0]
    written = io.StringIO()
    old = handler.setStream(written)
    yield written
    handler.setStream(old)


def lines(written, logger):
    found = [json.loads(line) for line in written.getvalue().splitlines()]
    return [line for line in found if line["logger"] == logger]


def concern(cast, person):
    return {
        "person_ids": [person.pk],
        "occurred_at": (timezone.now() - timedelta(hours=3)).isoformat(),
        "team_id": cast.night.pk,
        "categories": ["financial"],
        "risk_indicators": ["none"],
        "information_source": "observed",
        "facts": WRITTEN,
        "persons_wishes": f"{NAME[0]} wants her son told.",
        "sharing_view": "agrees",
        "injury": "none",
        "source_kind": "unknown",
        "immediate_action": "Locked the pension book in the office safe.",
        "who_was_told": "Nurse in charge",
        "severity": "moderate",
    }


def test_recording_a_concern_logs_one_json_line_without_names_words_or_query(
    cast, api, json_log, caplog
):
    caplog.set_level(logging.DEBUG)
    person = Person.objects.create(
        organisation=cast.org,
        given_name=NAME[0],
        family_name=NAME[1],
        date_of_birth=date(1938, 5, 1),
    )
    Enrolment.objects.create(
        person=person, team=cast.night, start_date=timezone.localdate() - timedelta(days=30)
    )

    response = api(cast.nia).post(f"/api/v1/concerns?{QUERY}", concern(cast, person))

    assert response.status_code == 201, response.json()
    [line] = lines(json_log, "sharewise.requests")
    assert line["method"] == "POST" and line["status"] == 201
    # The API names a path after its first operation; the pattern and method say which.
    assert line["route"].startswith("api:") and line["route_pattern"] == "api/v1/concerns"
    assert line["user_id"] == cast.nia.pk
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert response["X-Request-ID"] == line["request_id"] and len(line["request_id"]) == 32
    everything = json_log.getvalue() + caplog.text
    for private in (*NAME, "Philomena", "pension", "Ottoline", "wanted="):
        assert private not in everything


def test_a_request_id_from_the_proxy_is_kept_and_one_that_could_carry_a_name_replaced(db, json_log):
    given = "0f8fad5b-d9cb-469f-a165-70867728950e"
    kept = Client().get("/healthz", HTTP_X_REQUEST_ID=given)
    replaced = Client().get("/healthz", HTTP_X_REQUEST_ID="Ottoline-Fairweather-2024")

    assert kept["X-Request-ID"] == given
    assert replaced["X-Request-ID"] != "Ottoline-Fairweather-2024"
    first, second = lines(json_log, "sharewise.requests")
    assert (first["request_id"], first["route"], first["status"]) == (given, "healthz", 200)
    assert first["user_id"] is None
    assert second["request_id"] == replaced["X-Request-ID"]
    assert "Ottoline" not in json_log.getvalue()


@task()
def send_reminder(about: str) -> str:
    return "sent"


@task()
def fail_reminder(about: str) -> None:
    raise ValueError(f"no address for {about}")


def run_queued(monkeypatch):
    # The worker drops its connection between tasks; here it is the test's transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    db_worker.Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def test_each_background_task_logs_one_json_line_with_its_name_id_and_outcome(
    db, json_log, monkeypatch
):
    done = send_reminder.enqueue("Ottoline Fairweather")
    failed = fail_reminder.enqueue("Ottoline Fairweather")

    run_queued(monkeypatch)

    by_id = {line["task_id"]: line for line in lines(json_log, "sharewise.tasks")}
    assert by_id[str(done.id)]["task"] == f"{__name__}.send_reminder"
    assert by_id[str(done.id)]["status"] == "SUCCESSFUL"
    assert by_id[str(done.id)]["attempt"] == 1
    assert by_id[str(done.id)]["duration_ms"] >= 0
    assert by_id[str(failed.id)]["status"] == "FAILED"
    assert by_id[str(failed.id)]["error"] == "builtins.ValueError"
    assert "Ottoline" not in json_log.getvalue()


def test_a_page_logs_who_asked_and_its_route_pattern_not_its_path(cast, as_user, json_log):
    as_user(cast.nia).get(f"/people/{cast.alice.pk}/?{QUERY}")

    line = lines(json_log, "sharewise.requests")[-1]
    assert (line["route"], line["status"], line["user_id"]) == ("person", 200, cast.nia.pk)
    assert line["route_pattern"] == "people/<int:person_id>/"
    assert f"/people/{cast.alice.pk}/" not in json_log.getvalue()
