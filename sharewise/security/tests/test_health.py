"""/healthz tells an operator whether background work and trail sealing keep up: how
many tasks wait and for how long, how many failed lately, and how much of the trail is
not sealed yet. Counts and ages only, never what a task was given."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from sharewise.audittrail import trail

SECRET_ARGUMENT = "Margaret Hale 943 476 5919"


@task()
def remind(about: str) -> None:
    """A trivial task, queued and never run here."""


def health():
    response = Client().get("/healthz")
    assert response.status_code == 200
    return response.json()


def test_a_waiting_task_shows_in_the_queue_with_its_age_and_nothing_it_was_given(db):
    assert health()["task_queue"] == {
        "waiting": 0,
        "oldest_waiting_seconds": None,
        "failed_last_hour": 0,
    }

    queued = remind.enqueue(SECRET_ARGUMENT)
    DBTaskResult.objects.filter(id=queued.id).update(
        enqueued_at=timezone.now() - timedelta(minutes=10)
    )
    remind.enqueue("another")

    response = Client().get("/healthz")
    queue = response.json()["task_queue"]
    assert queue["waiting"] == 2
    assert 600 <= queue["oldest_waiting_seconds"] < 660
    assert "Margaret" not in response.content.decode()


def test_tasks_failed_in_the_last_hour_are_counted_and_older_failures_forgotten(db):
    now = timezone.now()
    for minutes_ago in (5, 50, 90):
        queued = remind.enqueue("x")
        DBTaskResult.objects.filter(id=queued.id).update(
            status="FAILED", finished_at=now - timedelta(minutes=minutes_ago)
        )
    queue = health()["task_queue"]
    assert queue["failed_last_hour"] == 2
    assert queue["waiting"] == 0


def test_a_sealed_trail_has_no_backlog_and_an_unsealed_entry_shows_as_one(db):
    trail.record(action="viewed record", person_id=99)
    trail.seal_pending()
    assert health()["audit_trail"] == {"unsealed": 0, "oldest_unsealed_seconds": None}

    trail.record(action="viewed record", person_id=99)

    backlog = health()["audit_trail"]
    assert backlog["unsealed"] == 1
    assert backlog["oldest_unsealed_seconds"] < 60
    trail.seal_pending()
    assert health()["audit_trail"]["unsealed"] == 0
