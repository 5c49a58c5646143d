"""Work a page starts that runs on after the response, in a thread of the web process
(imports, audits, evidence packs), and how to tell when it was lost: a restart ends
the thread and leaves its row saying "running" for ever."""

from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

# The longest of these jobs takes about a minute on a million concerns (bench/), so
# one still unfinished an hour after it was queued or started has lost its thread.
STOPPED_AFTER = timedelta(hours=1)


def lost(jobs, running: Iterable[str], now=None):
    """The jobs (a queryset of rows with status, created_at and started_at) still in a
    running status an hour after they were queued or started."""
    cutoff = (now or timezone.now()) - STOPPED_AFTER
    return jobs.filter(status__in=list(running)).filter(
        Q(started_at__lt=cutoff) | Q(started_at__isnull=True, created_at__lt=cutoff)
    )
