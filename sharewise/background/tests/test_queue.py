"""The queue as operators and users meet it: periodic work enqueued once per period
whatever the number of schedulers, tasks run again safely, and a task whose workers
keep dying failed with its record told."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import record_concern
from sharewise.background import queue, scheduling, working
from sharewise.background.models import Tick, Worker
from sharewise.governance import evidence, jobs
from sharewise.governance.models import EvidencePack, Job

ROOT = Path(__file__).resolve().parents[3]


def test_two_schedulers_in_the_same_period_enqueue_each_piece_of_work_once(db):
    now = timezone.now()
    first = scheduling.tick(now)
    second = scheduling.tick(now + timedelta(seconds=1))  # another node, same period
    assert sorted(first) == ["seal the trail", "sweep"]
    assert second == []
    assert DBTaskResult.objects.count() == 2


def test_periodic_work_waits_for_the_last_run_to_finish_before_queueing_more(db):
    now = timezone.now()
    scheduling.tick(now)
    later = now + timedelta(hours=1)  # due again, but the last ones never ran
    assert scheduling.tick(later) == []
    assert working.run_ready() == 2
    assert sorted(scheduling.tick(later)) == ["seal the trail", "sweep"]


def test_old_ticks_are_forgotten(db):
    Tick.objects.create(name="sweep", slot=1, enqueued_at=timezone.now() - timedelta(days=3))
    scheduling.tick()
    assert not Tick.objects.filter(slot=1).exists()


def test_the_sweep_and_sealing_run_twice_as_safely_as_once(cast):
    from django.utils.module_loading import import_string

    from sharewise.audittrail import trail

    record_concern(cast, days_ago=2)
    for _ in range(2):
        for _name, task_path, _every in scheduling.periodic():
            import_string(task_path).enqueue()
        assert working.run_ready() == 2
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert trail.seal_pending(everything=True) == 0, "everything was sealed, once"


def test_an_evidence_pack_run_again_after_it_finished_is_left_as_it_was(cast):
    record_concern(cast, days_ago=2)
    request = type("R", (), {"user": cast.sarah, "META": {"REMOTE_ADDR": "127.0.0.1"}})()
    pack = evidence.start(request, cast.org.pk, cast.today - timedelta(days=30), cast.today)
    assert working.run_ready() == 1
    pack.refresh_from_db()
    assert pack.status == Job.DONE
    made = (pack.sha256, pack.finished_at)
    evidence.build(pack.pk)  # as a worker would, had the first died after finishing
    pack.refresh_from_db()
    assert (pack.sha256, pack.finished_at) == made


def test_a_task_whose_workers_keep_dying_is_failed_and_its_record_told(cast):
    pack = EvidencePack.objects.create(
        organisation=cast.org,
        period_from=cast.today - timedelta(days=30),
        period_to=cast.today,
        requested_by=cast.sarah,
    )
    from sharewise.governance import tasks

    tasks.build_evidence_pack.enqueue(pack.pk)
    for attempt in range(queue.MAX_ATTEMPTS):
        queue.claim_next(f"dead-{attempt}")  # claimed by a worker with no row: gone
        retried, given_up = queue.recover()
        pack.refresh_from_db()
        if attempt < queue.MAX_ATTEMPTS - 1:
            assert (retried, given_up) == (1, 0)
            assert pack.status == Job.QUEUED and pack.step == jobs.STARTED_AGAIN
    assert (retried, given_up) == (0, 1)
    assert pack.status == Job.FAILED and pack.error == jobs.STOPPED
    task = DBTaskResult.objects.get()
    assert task.status == "FAILED" and task.exception_class_path == queue.LOST


def test_a_task_being_run_by_a_live_worker_is_left_alone(db):
    from sharewise.audittrail import tasks

    tasks.seal.enqueue()
    queue.sign_on("alive")  # this process: alive
    queue.claim_next("alive")
    assert queue.recover() == (0, 0)
    assert DBTaskResult.objects.get().status == "RUNNING"
    queue.sign_off("alive")
    assert not Worker.objects.exists()
    assert queue.recover() == (1, 0), "signed off with a task in hand: it runs again"


def test_a_worker_that_lost_its_database_queues_again_what_it_was_running(db):
    from sharewise.audittrail import tasks

    tasks.seal.enqueue()
    queue.sign_on("w")
    queue.claim_next("w")
    assert queue.release_own("w") == 1
    assert DBTaskResult.objects.get().status == "READY"
    queue.sign_off("w")


def test_no_thread_is_started_in_production_code():
    """Background work runs on the queue, in `manage.py worker`, never in a thread of
    a web process (ARCHITECTURE.md)."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "sharewise").rglob("*.py")
        if "tests" not in path.parts and "threading.Thread" in path.read_text()
    ]
    assert offenders == []


@pytest.mark.parametrize("argument", ["--interval=-1", "--max-tasks=0"])
def test_the_worker_refuses_settings_that_make_no_sense(db, argument):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--interval must be 0 or more"):
        call_command("worker", argument)


def test_tasks_finished_over_a_week_ago_are_pruned_once_an_hour(db):
    from sharewise.audittrail import tasks

    now = timezone.now()
    for _ in range(3):
        tasks.seal.enqueue()
    old, recent, waiting = DBTaskResult.objects.all()
    DBTaskResult.objects.filter(pk=old.pk).update(
        status="SUCCESSFUL", finished_at=now - timedelta(days=8)
    )
    DBTaskResult.objects.filter(pk=recent.pk).update(
        status="FAILED", finished_at=now - timedelta(days=2)
    )
    assert scheduling.prune(now) == 1
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    DBTaskResult.objects.filter(pk=recent.pk).update(finished_at=now - timedelta(days=9))
    assert scheduling.prune(now) == 0, "once an hour"
