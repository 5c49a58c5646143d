"""The five statements judging runs for every concern recorded, in plain SQL.

The ORM can express each, but building them through it costs several times running
them (measured on SQLite: finding an alert 2.7 ms against 0.5 ms, refreshing one 0.7
ms against 0.14 ms, linking 20,000 concerns 2.1 s against 0.75 s, as the ORM makes
a model object for each and asks for its new id), and recording a concern must stay
within 1.5 times recording it without the rules (bench: record-concern). Table and
column names come from the models; every value is a parameter."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import connection

from sharewise.patterns.models import Alert, AlertConcern, RiskScore

CHUNK = 2_000  # ids per IN (...): well under every database's limit on parameters


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def alerts_for(organisation_id: int, rules, subjects) -> list[Alert]:
    """The organisation's alerts for these rules about these subjects (through the
    unique index on organisation, rule and subject)."""
    if not subjects:
        return []
    rules, subjects = sorted(rules), sorted(subjects)
    table = connection.ops.quote_name(Alert._meta.db_table)
    found = []
    for start in range(0, len(subjects), CHUNK):
        chunk = subjects[start : start + CHUNK]
        sql = f"SELECT * FROM {table} WHERE organisation_id = %s"  # noqa: S608
        sql += f" AND rule IN ({_marks(rules)}) AND subject IN ({_marks(chunk)})"
        found += Alert.objects.raw(sql, [organisation_id, *rules, *chunk])
    return found


def linked(alert_ids, concern_ids) -> dict[int, set[int]]:
    """Which of these concerns each alert already holds, in chunks: a service's
    trigger names hundreds of concerns, and its alert can hold thousands."""
    found = defaultdict(set)
    if not alert_ids or not concern_ids:
        return found
    table = connection.ops.quote_name(AlertConcern._meta.db_table)
    concern_ids = sorted(concern_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(concern_ids), CHUNK):
            chunk = concern_ids[start : start + CHUNK]
            sql = f"SELECT alert_id, concern_id FROM {table}"  # noqa: S608
            sql += f" WHERE alert_id IN ({_marks(alert_ids)}) AND concern_id IN ({_marks(chunk)})"
            cursor.execute(sql, [*alert_ids, *chunk])
            for alert_id, concern_id in cursor.fetchall():
                found[alert_id].add(concern_id)
    return found


def link(links: list[tuple[int, int]], at: datetime) -> None:
    """Save (alert id, concern id) links in batched inserts: judging history links
    hundreds of thousands."""
    if not links:
        return
    table = connection.ops.quote_name(AlertConcern._meta.db_table)
    added = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (alert_id, concern_id, added_at) VALUES (%s, %s, %s)",  # noqa: S608
            [(alert_id, concern_id, added) for alert_id, concern_id in links],
        )


def refresh_alert(alert: Alert, at: datetime) -> None:
    """Save an open alert's explanation, policy version, score and time of change."""
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ops.quote_name(Alert._meta.db_table)} SET explanation = %s,"  # noqa: S608
            " policy_version_id = %s, updated_at = %s, score = %s WHERE id = %s",
            [
                alert.explanation,
                alert.policy_version_id,
                ops.adapt_datetimefield_value(at),
                alert.score,
                alert.pk,
            ],
        )


def update_score(person_id: int, values: dict) -> int:
    """Save a person's risk score over their row; returns how many rows (0: none yet)."""
    ops = connection.ops
    table = ops.quote_name(RiskScore._meta.db_table)
    columns = ", ".join(
        f"{ops.quote_name(RiskScore._meta.get_field(n).column)} = %s" for n in values
    )
    params = [
        ops.adapt_datetimefield_value(v)
        if n == "scored_at"
        else ops.adapt_json_value(v, None)
        if n == "concern_ids"
        else v
        for n, v in values.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {columns} WHERE person_id = %s", [*params, person_id])  # noqa: S608
        return cursor.rowcount
