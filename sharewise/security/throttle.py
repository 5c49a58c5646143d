"""Rate limits shared by every web node: counts live in the "throttle" cache, a
database table (migration security 0001), so a limit holds across processes and
servers. A count is a fixed window: at most `limit` uses per `per` seconds.

Counting reads and writes the cache without a lock, so two requests at the same moment
can both be let through at the edge of a limit; a limit is a brake, not an exact quota."""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import caches

from sharewise.audittrail import trail


class Throttled(Exception):
    """Too many uses: try again in `wait` seconds."""

    def __init__(self, what: str, wait: int):
        super().__init__(f"Too many {what}. Try again in {_duration(wait)}.")
        self.what = what
        self.wait = wait


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"


def _now() -> float:
    return time.time()


def wait_for(scope: str, who: str, limit: int, per: int, now: float | None = None) -> int:
    """Count one use by `who`; 0 if it is within the limit, else the seconds until the
    window ends."""
    now = _now() if now is None else now
    window = int(now // per)
    key = f"{scope}:{hashlib.sha256(who.encode()).hexdigest()[:32]}:{window}"
    cache = caches["throttle"]
    cache.add(key, 0, timeout=per + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=per + 5)
        used = 1
    if used <= limit:
        return 0
    return max(1, math.ceil((window + 1) * per - now))


def check_api_token(request, token_secret: str) -> None:
    """Requests answered for one API token, per minute."""
    limit = settings.SHAREWISE_API_TOKEN_REQUESTS_PER_MINUTE
    wait = wait_for("api-token", token_secret, limit, 60)
    if wait:
        if wait_for("api-token-told", token_secret, 1, 60) == 0:  # once per window
            trail.record_request(
                request,
                "API token rate limit reached",
                object_type="api token",
                detail={"limit_per_minute": limit},
            )
        raise Throttled("requests with this API token", wait)


def check_export(request) -> None:
    """Downloads of PDFs, evidence packs and CSV files, per member of staff per hour."""
    limit = settings.SHAREWISE_EXPORTS_PER_HOUR
    who = str(request.user.pk)
    wait = wait_for("export", who, limit, 3600)
    if wait:
        if wait_for("export-told", who, 1, 3600) == 0:
            trail.record_request(
                request,
                "export rate limit reached",
                object_type="export",
                detail={"limit_per_hour": limit, "path": request.path},
            )
        raise Throttled("downloads", wait)
