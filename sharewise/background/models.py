"""The worker processes that run queued tasks, and the scheduler's ticks."""

from django.db import models


class Worker(models.Model):
    """A `manage.py worker` process and when it was last heard from: how a task left
    running by a process that died is told from one still at work."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.host}:{self.pid}"


class Tick(models.Model):
    """One period of one piece of periodic work, enqueued by whichever scheduler wrote
    this row first: several schedulers may run, and each period is enqueued once."""

    name = models.CharField(max_length=50)
    slot = models.BigIntegerField()  # periods since the epoch
    enqueued_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="background_one_enqueue_per_tick")
        ]
