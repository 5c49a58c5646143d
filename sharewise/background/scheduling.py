"""Periodic work (the sweep, sealing the trail) put on the queue on a timer. Any
number of schedulers may run, one per node: each period of each piece of work is
enqueued by whichever writes its Tick row first, and not while the last one waits."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sharewise.background import queue
from sharewise.background.models import Tick

logger = logging.getLogger(__name__)

KEEP_TICKS = timedelta(days=2)
# Finished tasks are kept a week for /healthz and for looking into a failure; their
# arguments can name staff (email addresses), so they are not kept for ever.
KEEP_FINISHED = timedelta(days=7)
PRUNE_EVERY = 3600


def periodic() -> list[tuple[str, str, int]]:
    """(name, task's dotted path, every so many seconds), from settings."""
    return [tuple(item) for item in settings.SHAREWISE_PERIODIC_TASKS]


def tick(now=None) -> list[str]:
    """Enqueue what is due in this period and not yet enqueued by any node; recover
    tasks whose worker died. Returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for name, path, every in periodic():
        slot = int(now.timestamp() // every)
        if Tick.objects.filter(name=name, slot=slot).exists():
            continue
        if DBTaskResult.objects.filter(
            task_path=path, status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING)
        ).exists():
            continue  # the last one has not finished: do not pile them up
        try:
            with transaction.atomic():
                Tick.objects.create(name=name, slot=slot, enqueued_at=now)
                import_string(path).enqueue()
        except IntegrityError:
            continue  # another scheduler enqueued this period
        enqueued.append(name)
    Tick.objects.filter(enqueued_at__lt=now - KEEP_TICKS).delete()
    prune(now)
    queue.recover(now)
    return enqueued


def prune(now) -> int:
    """Delete tasks finished over a week ago, once an hour whatever the schedulers."""
    try:
        with transaction.atomic():  # a savepoint: losing the race leaves the tick usable
            Tick.objects.create(
                name="prune", slot=int(now.timestamp() // PRUNE_EVERY), enqueued_at=now
            )
    except IntegrityError:
        return 0  # pruned this hour already
    deleted, _ = DBTaskResult.objects.filter(
        status__in=(TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED),
        finished_at__lt=now - KEEP_FINISHED,
    ).delete()
    return deleted
