"""/healthz: for load balancers and monitoring, without signing in and without
personal data. A handful of indexed queries: counts and ages, never a task's arguments
or a trail entry's content."""

from datetime import timedelta

from django.db import DatabaseError, connection
from django.db.models import Case, Count, F, Max, Min, When
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult, get_date_max

from sharewise.audittrail.models import Entry, Seal
from sharewise.security import errors

# Counting a backlog stops here, so a trail nobody has sealed for weeks is still quick.
BACKLOG_COUNTED_UP_TO = 100_000


def _database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _seconds_since(moment, now) -> int | None:
    return None if moment is None else max(0, int((now - moment).total_seconds()))


def task_queue(now) -> dict:
    """Tasks waiting for a worker (the oldest waiting since it was due) and tasks that
    failed in the last hour."""
    # A task with no run_after is due from when it was queued.
    due = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    waiting = DBTaskResult.objects.ready().aggregate(count=Count("id"), oldest=Min(due))
    failed = DBTaskResult.objects.failed().filter(finished_at__gte=now - timedelta(hours=1)).count()
    return {
        "waiting": waiting["count"],
        "oldest_waiting_seconds": _seconds_since(waiting["oldest"], now),
        "failed_last_hour": failed,
    }


def audit_trail(now) -> dict:
    """Entries written after the newest sealed one: sealing (the scheduler's, and
    requests') brings this back to 0 within minutes."""
    newest = Seal.objects.aggregate(newest=Max("entry_id"))["newest"] or 0
    pending = Entry.objects.order_by().filter(id__gt=newest)
    oldest = pending.order_by("id").values_list("at", flat=True).first()
    count = pending.values("id")[:BACKLOG_COUNTED_UP_TO].count()
    return {"unsealed": count, "oldest_unsealed_seconds": _seconds_since(oldest, now)}


def _section(measure, now) -> dict | None:
    try:
        return measure(now)
    except DatabaseError:  # a table not migrated yet: say nothing rather than fail
        return None


@require_GET
def healthz(request):
    reachable = _database_reachable()
    body = {
        "status": "ok" if reachable else "unavailable",
        "database": "reachable" if reachable else "unreachable",
        "server_errors": errors.counts(),
    }
    if reachable:
        now = timezone.now()
        body["task_queue"] = _section(task_queue, now)
        body["audit_trail"] = _section(audit_trail, now)
    return JsonResponse(body, status=200 if reachable else 503)
