"""The raw statements sealing and verifying use, and turning their rows back into an
entry's values as the ORM would give them.

Sealing runs after every request that wrote to the trail, and verify() reads a
million rows, so both use a few raw statements: building ORM queries and model rows
cost more than the database work."""

from __future__ import annotations

import functools
import json
import re
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils.dateparse import parse_datetime

from sharewise.audittrail import chain
from sharewise.audittrail.models import Entry, KeyedSealing, Seal

_STATEMENTS = {
    "last": "SELECT s.{position}, s.{hash}, s.{entry_id}, (SELECT MAX({entry_id}) FROM {seal})"
    " FROM {seal} s ORDER BY s.{position} DESC LIMIT 1",
    "window": "SELECT (SELECT COUNT(*) FROM {entry} WHERE {id} > %s AND {id} <= %s),"
    " (SELECT COUNT(*) FROM {seal} WHERE {entry_id} > %s AND {entry_id} <= %s)",
    "after": "SELECT {columns} FROM {entry} e WHERE e.{id} > %s ORDER BY e.{id}",
    "unsealed": "SELECT {columns} FROM {entry} e LEFT JOIN {seal} s ON s.{entry_id} = e.{id}"
    " WHERE s.{position} IS NULL AND e.{id} > %s ORDER BY e.{id}",
    "insert": "INSERT INTO {seal} ({position}, {entry_id}, {hash}) VALUES ",
    "sealed": "SELECT s.{position}, s.{hash}, s.{entry_id}, {columns}"
    " FROM {seal} s LEFT JOIN {entry} e ON e.{id} = s.{entry_id}"
    " WHERE s.{position} > %s AND s.{position} <= %s ORDER BY s.{position} LIMIT %s",
    "hash_at": "SELECT {hash} FROM {seal} WHERE {position} = %s",
    "top": "SELECT MAX({position}) FROM {seal}",
    "head": "SELECT {position}, {hash} FROM {seal} ORDER BY {position} DESC LIMIT 1",
    "keyed_from": "SELECT MIN({position}) FROM {keyed}",
}


@functools.cache
def sql(vendor: str) -> dict[str, str]:
    """_STATEMENTS for this database; every name comes from the models."""
    qn = connection.ops.quote_name
    columns = [f"e.{qn(Entry._meta.get_field(f).column)}" for f in (*chain.FIELDS, *chain.DIGESTS)]
    # Entry times in forms that are quick to turn into chain.canonical()'s text (see
    # _db_datetime): psycopg's and Django's datetime loaders cost more than hashing.
    if vendor == "sqlite":
        columns[1] = f"CAST({columns[1]} AS TEXT)"
    elif vendor == "postgresql":
        columns[1] = f"(EXTRACT(EPOCH FROM {columns[1]}) * 1000000)::bigint"
    names = {
        "entry": qn(Entry._meta.db_table),
        "seal": qn(Seal._meta.db_table),
        "keyed": qn(KeyedSealing._meta.db_table),
        "columns": ", ".join(columns),
        **{name: qn(name) for name in ("id", "position", "entry_id", "hash")},
    }
    return {key: statement.format(**names) for key, statement in _STATEMENTS.items()}


def entry_values(row, offset: int = 0) -> tuple:
    """An entry's values in chain.FIELDS then chain.DIGESTS order, as the ORM would give them, from a
    raw row holding them from offset on."""
    return (
        row[offset],
        _db_datetime(row[offset + 1]),
        *row[offset + 2 : offset + 11],
        _db_json(row[offset + 11]),
        row[offset + 12] or "",
        row[offset + 13] or "",
    )


def _db_json(value):
    """As JSONField.from_db_value: text that is not JSON comes back as it is."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_STORED_AT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{6})?")


def _db_datetime(value):
    """An entry's time in a form chain.canonical() turns into the same text as it
    would the ORM's datetime. PostgreSQL: microseconds since the epoch. SQLite: the
    stored text, naive UTC as str(datetime), "YYYY-MM-DD HH:MM:SS[.ffffff]", which
    differs from the canonical isoformat only by the "T", microseconds and offset.
    Unparseable text is hashed as it is, so it fails verification, not crashes it."""
    if isinstance(value, int):
        return _EPOCH + timedelta(microseconds=value)
    if isinstance(value, str):
        if _STORED_AT.fullmatch(value):
            fraction = "" if len(value) == 26 else ".000000"
            return f"{value[:10]}T{value[11:]}{fraction}+00:00"
        value = parse_datetime(value) or value
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return "" if value is None else str(value)
