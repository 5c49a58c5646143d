"""Running queued tasks (django-tasks, database backend) and recovering those whose
worker died.

A task row is claimed in a transaction with SKIP LOCKED (django_tasks_db), so workers
on several machines share one queue and never run the same row at once. A worker killed
mid-task leaves its row RUNNING: `recover()` puts it back in the queue (or, after
MAX_ATTEMPTS workers died on it, fails it and tells the job it belongs to). Every task
is written so that running it again is safe."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from sharewise.background.models import Worker

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A task meeting these lost its database (a restart, a failover, SQLite busy): it is run
# again rather than failed, since its transaction was rolled back.
DATABASE_GONE = (OperationalError, InterfaceError)
LOST = "sharewise.background.queue.WorkerLost"
BEAT_EVERY = timedelta(seconds=5)

# Set by the worker command in its own process: which worker is running the task.
current_worker_id: str | None = None
_last_beat = None


class WorkerLost(Exception):
    """The worker running a task stopped (killed, or its machine lost) before it ended."""


@dataclass(frozen=True)
class Job:
    """What to do to a task's own record (an import, an audit) when its worker dies:
    on_retry(*args) before it runs again, on_give_up(*args) when it will not."""

    on_retry: Callable | None = None
    on_give_up: Callable | None = None


_jobs: dict[str, Job] = {}


def watch(task, *, on_retry=None, on_give_up=None) -> None:
    """Register what a task's record needs when its worker dies."""
    _jobs[task.module_path] = Job(on_retry, on_give_up)


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "SHAREWISE_WORKER_STALE_SECONDS", 120))


def this_host() -> str:
    return socket.gethostname()[:255]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_dead(worker: Worker | None, now) -> bool:
    """A worker with no row has ended; on this machine its process id says whether it
    lives (a long transaction hides its beats); elsewhere, its beat must be recent."""
    if worker is None:
        return True
    if worker.host == this_host():
        return not _pid_alive(worker.pid)
    return worker.beat_at < now - stale_after()


def sign_on(worker_id: str) -> Worker:
    global current_worker_id, _last_beat
    now = timezone.now()
    worker, _ = Worker.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": this_host(), "pid": os.getpid(), "started_at": now, "beat_at": now},
    )
    current_worker_id, _last_beat = worker_id, now
    return worker


def sign_off(worker_id: str) -> None:
    global current_worker_id
    Worker.objects.filter(worker_id=worker_id).delete()
    current_worker_id = None


def beat(force: bool = False) -> None:
    """Say this worker is still at work: called by its loop and by long tasks' progress.
    At most every few seconds; never fails the task it is called from."""
    global _last_beat
    now = timezone.now()
    if current_worker_id is None or (not force and _last_beat and now - _last_beat < BEAT_EVERY):
        return
    try:
        Worker.objects.filter(worker_id=current_worker_id).update(beat_at=now)
        _last_beat = now
    except DatabaseError:
        logger.warning("Could not record that worker %s is alive", current_worker_id)


def claim_next(worker_id: str, queues=("default",)) -> DBTaskResult | None:
    """The oldest ready task, claimed for this worker, or None."""
    ready = DBTaskResult.objects.ready().filter(queue_name__in=queues)
    with exclusive_transaction(ready.db):
        task_result = ready.get_locked()
        if task_result is not None:
            task_result.claim(worker_id)
    return task_result


def recover(now=None) -> tuple[int, int]:
    """Put back in the queue the tasks whose worker died, or fail those that have
    already cost MAX_ATTEMPTS workers. Safe on several machines at once: each row is
    locked (SKIP LOCKED) while it is looked at. Returns (retried, given up)."""
    now = now or timezone.now()
    running = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list("id", "worker_ids")
    )
    if not running:
        return 0, 0
    last = {pk: ids[-1] for pk, ids in running if ids}
    workers = Worker.objects.in_bulk(set(last.values()), field_name="worker_id")
    dead = [pk for pk, _ in running if is_dead(workers.get(last.get(pk)), now)]
    retried = given_up = 0
    for pk in dead:
        outcome = _recover_one(pk)
        retried += outcome == "retried"
        given_up += outcome == "given up"
    return retried, given_up


def _recover_one(pk) -> str:
    with transaction.atomic():
        task_result = (
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=TaskResultStatus.RUNNING)
            .first()
        )
        if task_result is None:
            return ""  # finished meanwhile, or another node is on it
        job = _jobs.get(task_result.task_path, Job())
        args = task_result.args_kwargs.get("args", [])
        if len(task_result.worker_ids) >= MAX_ATTEMPTS:
            task_result.status = TaskResultStatus.FAILED
            task_result.finished_at = timezone.now()
            task_result.exception_class_path = LOST
            task_result.traceback = (
                f"{len(task_result.worker_ids)} workers stopped while running this task."
            )
            task_result.save(
                update_fields=["status", "finished_at", "exception_class_path", "traceback"]
            )
            if job.on_give_up:
                job.on_give_up(*args)
            logger.warning("Gave up task %s: its workers kept stopping", pk)
            return "given up"
        task_result.status = TaskResultStatus.READY
        task_result.started_at = None
        task_result.save(update_fields=["status", "started_at"])
        if job.on_retry:
            job.on_retry(*args)
        logger.warning("Task %s queued again: its worker stopped", pk)
        return "retried"


def release_own(worker_id: str) -> int:
    """Queue again the tasks this worker was running when the database went away: their
    work was rolled back with the connection, and nobody else will see them as lost."""
    mine = [
        pk
        for pk, ids in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
            "id", "worker_ids"
        )
        if ids and ids[-1] == worker_id
    ]
    return sum(_recover_one(pk) == "retried" for pk in mine)


def attempt_of(task_result: DBTaskResult) -> int:
    return len(task_result.worker_ids)


def waiting() -> tuple[int, float | None]:
    """(tasks waiting, seconds the oldest has waited): for /healthz."""
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    age = (timezone.now() - oldest).total_seconds() if oldest else None
    return ready.count(), age
