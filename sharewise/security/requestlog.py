"""One JSON line per request (logger "sharewise.requests") and per background task
(logger "sharewise.tasks"), for log shippers and dashboards.

A line carries ids, the route's name and pattern, status and duration: never a path
with its ids, a query string, a name or any text someone typed. A request's id comes
from the proxy's X-Request-ID when it looks like one (hex digits and dashes, so it
cannot carry a name), else is made here; the answer carries it back."""

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from django.utils.functional import empty

requests_log = logging.getLogger("sharewise.requests")
tasks_log = logging.getLogger("sharewise.tasks")

REQUEST_ID = re.compile(r"[0-9A-Fa-f-]{16,64}")


def request_id_for(request) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _route(request) -> tuple[str | None, str | None]:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None, None
    return match.view_name or None, match.route or None


def _user_id(request) -> int | None:
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None  # never looked at (static files, /healthz): not worth a query here
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    """First in MIDDLEWARE, so it times everything and sees every answer's status,
    redirects to HTTPS and static files included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = request_id_for(request)
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        view_name, route = _route(request)
        requests_log.info(
            "request",
            extra={
                "event": {
                    "request_id": request.request_id,
                    "method": request.method,
                    "route": view_name,
                    "route_pattern": route,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _user_id(request),
                }
            },
        )
        return response


def log_task_finished(sender, task_result, **kwargs) -> None:
    """django-tasks' task_finished: one line with the task's name and id, how it ended,
    how long it ran and which attempt it was; for a failure, the exception's type only
    (its message may quote a record)."""
    started, finished = task_result.started_at, task_result.finished_at
    duration = None
    if started and finished:
        duration = round((finished - started).total_seconds() * 1000, 1)
    errors = getattr(task_result, "errors", None) or []
    tasks_log.info(
        "task",
        extra={
            "event": {
                "task": task_result.task.module_path,
                "task_id": str(task_result.id),
                "queue": task_result.task.queue_name,
                "status": str(task_result.status),
                "duration_ms": duration,
                "attempt": len(task_result.worker_ids or []) or None,
                "error": errors[-1].exception_class_path if errors else None,
            }
        },
    )


class JsonLinesFormatter(logging.Formatter):
    """A record's "event" (given as extra) as one JSON object, with the time (UTC) and
    the logger's name; the message alone for records without one."""

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "logger": record.name,
            **getattr(record, "event", {"message": record.getMessage()}),
        }
        return json.dumps(line, default=str)
