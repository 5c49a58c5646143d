"""Checking the sealed trail against its chain and its latest checkpoint, and taking
checkpoints."""

from __future__ import annotations

import logging
import multiprocessing
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection

from sharewise.audittrail import chain, checkpoints, statements
from sharewise.audittrail.keys import trail_key
from sharewise.audittrail.models import Entry

logger = logging.getLogger("sharewise.audittrail")


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
    sql = statements.sql(connection.vendor)["sealed"]
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [after, until, batch])
            rows = cursor.fetchall()
            for row in rows:
                entry = None if row[3] is None else statements.entry_values(row, 3)
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
            cursor.execute(statements.sql(connection.vendor)["hash_at"], [after])
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


def verify(batch: int = 5000, workers: int = 1, min_parallel: int = 50_000) -> Verification:
    """Check every sealed entry against the chain, naming the first broken one, and the
    chain against the latest checkpoint. With workers > 1, ranges of the chain are
    checked in parallel processes."""
    trail_key()  # loaded before forking, so a missing key is one clear error
    sql = statements.sql(connection.vendor)
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
    cursor.execute(statements.sql(connection.vendor)["keyed_from"])
    return cursor.fetchone()[0] or 1


def _hash_at(cursor, position: int) -> str | None:
    if position == 0:
        return chain.GENESIS
    cursor.execute(statements.sql(connection.vendor)["hash_at"], [position])
    found = cursor.fetchone()
    return found[0] if found else None


def head() -> tuple[int, str]:
    """The newest seal's position (how many entries are sealed) and hash."""
    with connection.cursor() as cursor:
        cursor.execute(statements.sql(connection.vendor)["head"])
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
