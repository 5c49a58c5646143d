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
_recent: deque[float] = deque()
HOUR = 3600


def count_server_error(sender=None, **kwargs) -> None:
    global _since_start
    now = time.time()
    with _lock:
        _since_start += 1
        _recent.append(now)
        _forget_before(now - HOUR)


def _forget_before(moment: float) -> None:
    while _recent and _recent[0] < moment:
        _recent.popleft()


def counts() -> dict:
    now = time.time()
    with _lock:
        _forget_before(now - HOUR)
        return {
            "since_start": _since_start,
            "last_hour": len(_recent),
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
