"""Writing, sealing and verifying the trail. Other apps call record() and
record_request(); they never touch the tables directly."""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import multiprocessing
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from sharewise.audittrail import chain, checkpoints
from sharewise.audittrail.keys import trail_key
from sharewise.audittrail.models import Entry, KeyedSealing, Seal

logger = logging.getLogger("sharewise.audittrail")

# Set when a request wrote to the trail, so the middleware knows to seal afterwards.
_wrote = contextvars.ContextVar("trail_wrote", default=False)
# What the request came through when not a browser session (an API token's hint), added
# to the detail of every entry the request writes, so each use of a token is traceable.
_via = contextvars.ContextVar("trail_via", default=None)


def note_via(**detail) -> None:
    """For the rest of this request, every entry also carries detail (such as the API
    token's hint)."""
    _via.set(detail or None)


def _detail(detail: dict | None) -> dict:
    via = _via.get()
    return {**(detail or {}), **via} if via else detail or {}


_SEAL_LOCK_KEY = 7_310_442_001  # PostgreSQL advisory lock id for sealing
_RECENT_WINDOW = 5_000  # entries that may commit out of id order while others seal


def client_address(request) -> str | None:
    """The caller's address. Behind a proxy, REMOTE_ADDR is set by the WSGI server
    from the trusted proxy header; we never trust X-Forwarded-For ourselves."""
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    actor=None,
    action: str,
    object_type: str = "",
    object_id="",
    person_id: int | None = None,
    organisation_id: int | None = None,
    address: str | None = None,
    reason: str = "",
    detail: dict | None = None,
) -> Entry:
    entry = Entry.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor=getattr(actor, "username", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        person_id=person_id,
        organisation_id=organisation_id,
        client_address=address,
        reason=reason,
        detail=_detail(detail),
    )
    _wrote.set(True)
    return entry


def record_request(request, action: str, **fields) -> Entry:
    return record(
        actor=request.user if request.user.is_authenticated else None,
        action=action,
        address=client_address(request),
        **fields,
    )


_ENTRY_COLUMNS = chain.FIELDS[1:]  # every column but the id, in the chain's order


def record_all(entries: list[dict]) -> None:
    """Many entries at once, each given as record()'s keywords (a sweep or an import
    raising hundreds of alerts): plain batched inserts, since building a model object
    for each costs more than the insert."""
    if not entries:
        return
    ops = connection.ops
    at = ops.adapt_datetimefield_value(datetime.now(UTC))
    table = ops.quote_name(Entry._meta.db_table)
    columns = ", ".join(ops.quote_name(Entry._meta.get_field(c).column) for c in _ENTRY_COLUMNS)
    marks = ", ".join(["%s"] * len(_ENTRY_COLUMNS))
    rows = [
        (
            at,
            getattr(e.get("actor"), "pk", None),
            getattr(e.get("actor"), "username", "") or "",
            e["action"],
            e.get("object_type", ""),
            str(e.get("object_id", "")),
            e.get("person_id"),
            e.get("organisation_id"),
            e.get("address"),
            e.get("reason", ""),
            ops.adapt_json_value(_detail(e.get("detail")), None),
        )
        for e in entries
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
    _wrote.set(True)


def record_reads(
    request,
    action: str,
    person_ids,
    *,
    organisation_id=None,
    object_type: str = "person",
    object_id=None,
    reason: str = "",
    detail: dict | None = None,
) -> None:
    """One entry per person whose record a page showed or an action touched, written
    together (a dashboard names dozens of people). object_id: the thing shown, such as
    an alert; each person's own id when not given."""
    actor = request.user if request.user.is_authenticated else None
    now = datetime.now(UTC)
    Entry.objects.bulk_create(
        Entry(
            at=now,
            actor_id=getattr(actor, "pk", None),
            actor=getattr(actor, "username", "") or "",
            action=action,
            object_type=object_type,
            object_id=str(person_id if object_id is None else object_id),
            person_id=person_id,
            organisation_id=organisation_id,
            client_address=client_address(request),
            reason=reason,
            detail=_detail(detail),
        )
        for person_id in person_ids
    )
    if person_ids:
        _wrote.set(True)


def take_wrote_flag() -> bool:
    wrote = _wrote.get()
    _wrote.set(False)
    return wrote


def start_request() -> None:
    """Forget what the previous request in this thread wrote and came through."""
    _wrote.set(False)
    _via.set(None)


def _try_lock(cursor) -> bool:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_SEAL_LOCK_KEY])
        return cursor.fetchone()[0]
    # SQLite: the IMMEDIATE transaction already holds the only write lock.
    return True


# Sealing runs after every request that wrote to the trail, and verify() reads a
# million rows, so both use a few raw statements: building ORM queries and model rows
# cost more than the database work.


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
def _sql(vendor: str) -> dict[str, str]:
    """_STATEMENTS for this database; every name comes from the models."""
    qn = connection.ops.quote_name
    columns = [f"e.{qn(Entry._meta.get_field(f).column)}" for f in chain.FIELDS]
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


def seal_pending(everything: bool = False, checkpoint: bool = True) -> int:
    """Seal unsealed entries in id order. Returns how many were sealed, or 0 when
    another process holds the sealing lock (it will seal ours too). checkpoint: take
    one now and then (see _checkpoint_now_and_then)."""
    sql = _sql(connection.vendor)
    key = trail_key()
    with transaction.atomic(), connection.cursor() as cursor:
        if not _try_lock(cursor):
            return 0
        cursor.execute(sql["last"])
        last = cursor.fetchone()
        start, previous, last_entry, newest = last if last else (0, chain.GENESIS, 0, 0)
        low = 0 if everything else max(0, last_entry - _RECENT_WINDOW)
        if not everything and _all_sealed(cursor, sql, low, newest):
            # Nothing in the window committed late, so only entries after the newest
            # sealed one are pending: a range on the key, no anti-join.
            query, params = sql["after"], [newest]
        else:
            query, params = sql["unsealed"], [low]
        position = start
        # Chunked (server-side on PostgreSQL): a backlog may be millions of entries.
        with connection.chunked_cursor() as pending:
            pending.execute(query, params)
            while rows := pending.fetchmany(2000):
                seals = []
                for row in rows:
                    values = _entry_values(row)
                    previous = chain.link(key, previous, values)
                    position += 1
                    seals.append((position, values[0], previous))
                cursor.execute(
                    sql["insert"] + ", ".join(["(%s, %s, %s)"] * len(seals)),
                    [value for seal in seals for value in seal],
                )
    if checkpoint and position > start:
        _checkpoint_now_and_then()
    return position - start


def _all_sealed(cursor, sql, low: int, high: int) -> bool:
    """Whether every entry with low < id <= high has a seal. Two index range counts
    cost a fraction of looking up each entry's seal; each seal names a distinct
    entry, so equal counts mean none is missing."""
    if high <= low:
        return True
    cursor.execute(sql["window"], [low, high, low, high])
    entries, seals = cursor.fetchone()
    return entries == seals


def _entry_values(row, offset: int = 0) -> tuple:
    """An entry's values in chain.FIELDS order, as the ORM would give them, from a
    raw row holding them from offset on."""
    return (
        row[offset],
        _db_datetime(row[offset + 1]),
        *row[offset + 2 : offset + 11],
        _db_json(row[offset + 11]),
    )


@dataclass
class Verification:
    checked: int
    unsealed: int
    broken: chain.Break | None
    keyed_from: int = 1
    checkpoint: chain.Checkpoint | None = None
    # The chain against the latest checkpoint, or a checkpoint file that cannot be
    # trusted, in words; None when all is well.
    checkpoint_problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None and self.checkpoint_problem is None

    @property
    def unkeyed(self) -> int:
        """Entries checked that were sealed before keyed sealing began."""
        return min(self.checked, self.keyed_from - 1)


def _sealed_rows(batch: int, after: int = 0, until: int = 2**62):
    """(position, hash, entry id, entry values or None) for positions in (after, until],
    in order, a batch per query. A LEFT JOIN, so a deleted entry shows as None."""
    sql = _sql(connection.vendor)["sealed"]
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [after, until, batch])
            rows = cursor.fetchall()
            for row in rows:
                entry = None if row[3] is None else _entry_values(row, 3)
                yield row[0], row[1], row[2], entry
            if len(rows) < batch:
                return
            after = rows[-1][0]


def _verify_range(
    after: int, until: int, batch: int, keyed_from: int
) -> tuple[int, chain.Break | None]:
    """Check the links in positions (after, until], starting from the hash stored at
    `after`: each link needs only its predecessor's stored hash, so ranges can be
    checked side by side and together they check the whole chain."""
    previous = chain.GENESIS
    if after:
        with connection.cursor() as cursor:
            cursor.execute(_sql(connection.vendor)["hash_at"], [after])
            found = cursor.fetchone()
        if found is None:
            return 0, chain.Break(after, None, "missing: the chain skips it")
        previous = found[0]
    checked, broken, _ = chain.verify(
        _sealed_rows(batch, after, until),
        trail_key(),
        previous_hash=previous,
        expected_position=after + 1,
        keyed_from=keyed_from,
    )
    if broken is None and after + checked < until:
        broken = chain.Break(after + checked + 1, None, "missing: the chain skips it")
    return checked, broken


def _verify_range_in_child(after: int, until: int, batch: int, keyed_from: int):
    from django.db import connections

    try:
        return _verify_range(after, until, batch, keyed_from)
    finally:
        connections.close_all()


def _can_fork() -> bool:
    """Other processes see only committed rows, so never inside a transaction (tests
    run in one), and never on an in-memory SQLite database."""
    if connection.in_atomic_block:
        return False
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())


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


def verify(batch: int = 5000, workers: int = 1, min_parallel: int = 50_000) -> Verification:
    """Check every sealed entry against the chain, naming the first broken one, and the
    chain against the latest checkpoint. With workers > 1, ranges of the chain are
    checked in parallel processes."""
    trail_key()  # loaded before forking, so a missing key is one clear error
    sql = _sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql["top"])
        top = cursor.fetchone()[0] or 0
        keyed_from = _keyed_from(cursor)
    if workers > 1 and top >= min_parallel and _can_fork():
        step = -(-top // workers)
        ranges = [
            (start, min(start + step, top), batch, keyed_from) for start in range(0, top, step)
        ]
        from django.db import connections

        connections.close_all()  # each process opens its own
        with multiprocessing.get_context("fork").Pool(len(ranges)) as pool:
            results = pool.starmap(_verify_range_in_child, ranges)
    else:
        results = [_verify_range(0, top, batch, keyed_from)]
    checked, broken = 0, None
    for part_checked, part_broken in results:
        checked += part_checked
        if part_broken is not None:
            broken = part_broken
            break
    unsealed = Entry.objects.filter(seal__isnull=True).count()
    latest, problem = _against_latest_checkpoint(top, keyed_from)
    return Verification(
        checked=checked,
        unsealed=unsealed,
        broken=broken,
        keyed_from=keyed_from,
        checkpoint=latest,
        checkpoint_problem=problem,
    )


def _keyed_from(cursor) -> int:
    cursor.execute(_sql(connection.vendor)["keyed_from"])
    return cursor.fetchone()[0] or 1


def _hash_at(cursor, position: int) -> str | None:
    if position == 0:
        return chain.GENESIS
    cursor.execute(_sql(connection.vendor)["hash_at"], [position])
    found = cursor.fetchone()
    return found[0] if found else None


def head() -> tuple[int, str]:
    """The newest seal's position (how many entries are sealed) and hash."""
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection.vendor)["head"])
        found = cursor.fetchone()
    return (found[0], found[1]) if found else (0, chain.GENESIS)


def _against_latest_checkpoint(
    top: int, keyed_from: int
) -> tuple[chain.Checkpoint | None, str | None]:
    found = checkpoints.read(trail_key())
    problem = None
    if found.latest is not None:
        with connection.cursor() as cursor:
            there = _hash_at(cursor, found.latest.position)
        problem = chain.against_checkpoint(found.latest, top, there, keyed_from)
    return found.latest, problem or found.problem()


def take_checkpoint() -> tuple[chain.Checkpoint | None, str | None]:
    """Write a checkpoint of the chain's head as committed now, to the checkpoint file
    and the log. Refused, with the reason, when the chain no longer holds the latest
    checkpoint: a new one would hide that the trail was cut or rewritten."""
    key = trail_key()
    position, head_hash = head()
    previous = checkpoints.read(key).latest
    with connection.cursor() as cursor:
        keyed_from = _keyed_from(cursor)
        there = _hash_at(cursor, previous.position) if previous else None
    if previous is not None:
        if problem := chain.against_checkpoint(previous, position, there, keyed_from):
            logger.error("Audit trail checkpoint not written: %s", problem)
            return None, problem
    point = chain.checkpoint(key, position, head_hash, keyed_from, datetime.now(UTC))
    checkpoints.append(point)
    return point, None


_last_checkpoint = [float("-inf")]  # this process's, by time.monotonic()


def _checkpoint_now_and_then() -> None:
    """After sealing, a checkpoint at most every SHAREWISE_TRAIL_CHECKPOINT_EVERY
    seconds per process (0: only from seal_trail), once the seals are committed: so the
    newest entries that could go unnoticed are minutes old, at one file write a minute."""
    every = getattr(settings, "SHAREWISE_TRAIL_CHECKPOINT_EVERY", 0)
    now = time.monotonic()
    if not every or now - _last_checkpoint[0] < every:
        return
    _last_checkpoint[0] = now
    transaction.on_commit(_checkpoint_quietly)


def _checkpoint_quietly() -> None:
    try:
        take_checkpoint()
    except Exception:  # a request that has done its work must not fail for this
        logger.exception("Audit trail checkpoint could not be written")


def for_person(person_id: int, limit: int = 50):
    """Who has looked at or changed this person's record, newest first."""
    return Entry.objects.filter(person_id=person_id).order_by("-at", "-id")[:limit]


def search(
    organisation_id: int,
    *,
    person_id: int | None = None,
    actor_id: int | None = None,
    since=None,
    until=None,
):
    entries = Entry.objects.filter(organisation_id=organisation_id)
    if person_id is not None:
        entries = entries.filter(person_id=person_id)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if since is not None:
        entries = entries.filter(at__gte=since)
    if until is not None:
        entries = entries.filter(at__lt=until)
    return entries.order_by("-at", "-id")
