"""The worker's loop: claim a task, run it, beat, recover tasks whose worker died, and
ride out a database that goes away for a while (a restart, a failover)."""

from __future__ import annotations

import logging
import signal
import time

from django.db import close_old_connections, connections
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django_tasks_db.compat import TaskContext, task_finished, task_started

from sharewise.background import queue

logger = logging.getLogger(__name__)

HOUSEKEEPING_EVERY = 10.0  # seconds between recovering lost tasks


class Loop:
    def __init__(
        self, worker_id: str, *, interval=1.0, max_tasks=None, batch=False, own_process=True
    ):
        self.worker_id = worker_id
        # A worker process closes connections that are broken or too old between tasks,
        # as a request does; run in someone else's transaction (run_ready), it must not.
        self.own_process = own_process
        self.interval = interval
        self.max_tasks = max_tasks
        self.batch = batch
        self.running = True
        self.busy = False
        self.done = 0
        self.lost_database = False

    def stop(self, signum, frame) -> None:
        """The first signal finishes the task in hand, then stops; a second stops now."""
        if not self.running or not self.busy:
            raise SystemExit(0 if not self.busy else 1)
        logger.warning("Stopping once the current task ends")
        self.running = False

    def catch_signals(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self.stop)

    def run(self) -> int:
        """Run until stopped (or, in batch, until nothing is ready). Returns tasks run."""
        queue.sign_on(self.worker_id)
        next_housekeeping = 0.0
        try:
            while self.running:
                try:
                    if self.lost_database:
                        self._back_from_lost_database()
                    if time.monotonic() >= next_housekeeping:
                        queue.beat(force=True)
                        queue.recover()
                        next_housekeeping = time.monotonic() + HOUSEKEEPING_EVERY
                    ran = self.one()
                except (OperationalError, InterfaceError):
                    if self.batch:
                        raise  # run here and now: the caller hears of it
                    self._database_gone()
                    continue
                if self.max_tasks and self.done >= self.max_tasks:
                    break
                if not ran:
                    if self.batch:
                        break
                    time.sleep(self.interval)
        finally:
            try:
                queue.sign_off(self.worker_id)
            except DatabaseError:
                pass
        return self.done

    def one(self) -> bool:
        if self.own_process:
            close_old_connections()
        task_result = queue.claim_next(self.worker_id)
        if task_result is None:
            return False
        self.busy = True
        try:
            run_task(task_result)
        finally:
            self.busy = False
            self.done += 1
        return True

    def _database_gone(self) -> None:
        logger.warning("The database cannot be reached; trying again shortly")
        self.lost_database = True
        for conn in connections.all():
            try:
                conn.close()
            except DatabaseError:
                pass
        time.sleep(max(self.interval, 1.0))

    def _back_from_lost_database(self) -> None:
        """Once the database answers again: this worker's row may have gone with it, and
        the task it was running rolled back, so sign on again and queue that task again."""
        queue.sign_on(self.worker_id)
        queue.release_own(self.worker_id)
        self.lost_database = False
        logger.warning("The database is back")


def run_task(db_result) -> None:
    """Run a claimed task and record how it ended. A task that lost its database is
    left to be queued again (release_own) rather than failed: its work rolled back."""
    task = db_result.task
    result = db_result.task_result
    sender = type(task.get_backend())
    task_started.send(sender=sender, task_result=result)
    try:
        if task.takes_context:
            value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
        else:
            value = task.call(*result.args, **result.kwargs)
    except queue.DATABASE_GONE:
        raise
    except Exception as error:
        logger.exception("Task %s (%s) failed", db_result.pk, db_result.task_path)
        db_result.set_failed(error)
    else:
        db_result.set_successful(value)
    task_finished.send(sender=sender, task_result=db_result.task_result)


def run_ready(worker_id: str = "in-process") -> int:
    """Run every task that is ready, here and now (tests, `worker --batch`)."""
    return Loop(worker_id, interval=0, batch=True, own_process=False).run()
