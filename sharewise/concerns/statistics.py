"""Fresh planner statistics during bulk work on PostgreSQL (nothing to do on SQLite)."""

from django.db import connection


def refresh(*models) -> None:
    """An import grows tables tenfold inside one transaction. Planned with the old
    figures, PostgreSQL chooses sequential scans for lookups that run once per row,
    and the import slows quadratically (in CI, minutes instead of seconds)."""
    if connection.vendor != "postgresql" or not models:
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
