"""/healthz: for load balancers and monitoring, without signing in and without
personal data."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from sharewise.security import errors


def _database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


@require_GET
def healthz(request):
    reachable = _database_reachable()
    return JsonResponse(
        {
            "status": "ok" if reachable else "unavailable",
            "database": "reachable" if reachable else "unreachable",
            "server_errors": errors.counts(),
        },
        status=200 if reachable else 503,
    )
