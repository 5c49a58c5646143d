"""Server errors, logged without personal data and counted for /healthz.

Django logs each unhandled exception to "django.request" as "Internal Server Error:
<path>" (the path, never the query string or the body); the formatter here adds the
exception's type and traceback but not its message, which can quote a record's values
(a database error names the row it refused). Counts are per process: each web node
answers its own load balancer check."""

import logging
import re
import threading
import time
import traceback
from collections import deque

from django.http import HttpRequest, HttpResponse
from django.utils.log import log_response
from django.views.debug import SafeExceptionReporterFilter

_lock = threading.Lock()
_started = time.time()
_since_start = 0
# Errors per minute for the last hour: bounded however many errors come.
_per_minute: deque[list[int]] = deque()  # [minute, count], oldest first
HOUR = 3600


def _now() -> float:
    return time.time()


def count_server_error(sender=None, **kwargs) -> None:
    global _since_start
    minute = int(_now() // 60)
    with _lock:
        _since_start += 1
        if _per_minute and _per_minute[-1][0] == minute:
            _per_minute[-1][1] += 1
        else:
            _per_minute.append([minute, 1])
        _forget_before(minute - 59)


def _forget_before(minute: int) -> None:
    while _per_minute and _per_minute[0][0] < minute:
        _per_minute.popleft()


def counts() -> dict:
    now = _now()
    with _lock:
        _forget_before(int(now // 60) - 59)
        return {
            "since_start": _since_start,
            "last_hour": sum(count for _, count in _per_minute),
            "started_seconds_ago": int(now - _started),
        }


def log_server_error(request: HttpRequest, exception: BaseException, response: HttpResponse):
    """Count and log an exception that a handler turned into a 500 itself (the API), in
    the same words and logger as Django's own."""
    from django.core.signals import got_request_exception

    got_request_exception.send(sender=None, request=request)
    log_response(
        "%s: %s",
        response.reason_phrase,
        request.path,
        response=response,
        request=request,
        exception=exception,
    )


class WithoutMessagesFormatter(logging.Formatter):
    """Tracebacks with each exception's type only: messages may carry personal data."""

    def formatException(self, ei):
        from django.conf import settings

        if settings.DEBUG:  # development, on demo data: the whole story
            return super().formatException(ei)
        _, value, _ = ei
        parts = []
        seen = set()
        while value is not None and id(value) not in seen:
            seen.add(id(value))
            kind = type(value)
            parts.append(
                "Traceback (most recent call last):\n"
                + "".join(traceback.format_tb(value.__traceback__))
                + f"{kind.__module__}.{kind.__qualname__} (message withheld)"
            )
            value = value.__cause__ or (None if value.__suppress_context__ else value.__context__)
        return "\n\nDuring handling of the above exception, another exception occurred:\n\n".join(
            reversed(parts)
        )


class ReporterFilter(SafeExceptionReporterFilter):
    """Debug pages and error reports hide the database address (it holds the password)
    and the Authorization header (an API token), besides Django's own list."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|AUTH|DATABASE|DSN", flags=re.I
    )
