"""The hash chain, as plain functions over plain data.

Each sealed entry's hash is SHA-256 over the previous hash and the entry's canonical
content, so editing, deleting or reordering any entry breaks every hash after it.
Entries are sealed in a separate step after they are written, which is what lets many
requests append at once without queueing on one lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64

# Order matters: it is part of the canonical form and must never change.
FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor",
    "action",
    "object_type",
    "object_id",
    "person_id",
    "organisation_id",
    "client_address",
    "reason",
    "detail",
)


def _at(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    return value.astimezone(UTC).isoformat(timespec="microseconds")


# What json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False) uses,
# built once: verify() calls canonical() a million times.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(entry: tuple | list) -> bytes:
    """Canonical bytes of one entry given as values in FIELDS order."""
    values = list(entry)
    values[1] = _at(values[1])
    return _ENCODER.encode(values).encode()


def link(previous_hash: str, entry: tuple | list) -> str:
    return hashlib.sha256(previous_hash.encode() + b"\n" + canonical(entry)).hexdigest()


def seal(previous_hash: str, entries: Iterable[tuple | list]) -> list[str]:
    """Hashes for entries appended, in order, after previous_hash."""
    hashes = []
    for entry in entries:
        previous_hash = link(previous_hash, entry)
        hashes.append(previous_hash)
    return hashes


@dataclass(frozen=True)
class Break:
    position: int
    entry_id: int | None
    problem: str

    def __str__(self) -> str:
        who = f"entry {self.entry_id}" if self.entry_id is not None else "an entry"
        return f"position {self.position} ({who}): {self.problem}"


def verify(
    sealed: Iterable[tuple[int, str, int, tuple | list | None]],
    previous_hash: str = GENESIS,
    expected_position: int = 1,
) -> tuple[int, Break | None, str]:
    """Walk (position, stored hash, sealed entry id, entry values or None) in position
    order. Returns (entries checked, first break or None, last good hash)."""
    checked = 0
    for position, stored_hash, entry_id, entry in sealed:
        if position != expected_position:
            return (
                checked,
                Break(expected_position, None, "missing: the chain skips it"),
                previous_hash,
            )
        if entry is None:
            return (
                checked,
                Break(position, entry_id, "deleted: the sealed entry is gone"),
                previous_hash,
            )
        if entry[0] != entry_id:
            return (
                checked,
                Break(position, entry[0], "moved: sealed for another entry"),
                previous_hash,
            )
        computed = link(previous_hash, entry)
        if computed != stored_hash:
            return (
                checked,
                Break(position, entry_id, "altered or reordered: hash does not match"),
                previous_hash,
            )
        previous_hash = stored_hash
        expected_position += 1
        checked += 1
    return checked, None, previous_hash
