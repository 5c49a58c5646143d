"""The keyed hash chain, as plain functions over plain data.

Each sealed entry's hash is HMAC-SHA256, under a key kept outside the database, over
the previous hash and the entry's canonical content. Editing, deleting or reordering
any entry breaks every hash after it, and recomputing the hashes needs the key.
Entries are sealed in a separate step after they are written, which is what lets many
requests append at once without queueing on one lock.

Trails sealed before keying began keep their plain SHA-256 links up to a recorded
position (keyed_from); they are checked as such and reported as unkeyed.

Entries written since erasure began carry SHA-256 digests of their reason and detail
(DIGESTS), and the chain covers those digests in place of the text: so the text about a
person can be erased when their records are destroyed (it reads as "erased", never as
changed), while any other change to it is still named. Older entries, without digests,
are hashed over their text as before.

A checkpoint (position, head hash, time), itself keyed, is kept outside the database so
that removing the newest entries together with their seals is noticed too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

GENESIS = "0" * 64
MIN_KEY_LENGTH = 32

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
# After FIELDS in an entry's values: digests of its reason and detail ("" when the entry
# was written before entries carried them).
DIGESTS = ("reason_sha256", "detail_sha256")


class Key:
    """A trail key ready to seal with. HMAC-SHA256 with both padded keys hashed once:
    verify() computes a million links, and this halves the cost of each."""

    def __init__(self, secret: bytes):
        if len(secret) < MIN_KEY_LENGTH:
            raise ValueError(f"A trail key needs at least {MIN_KEY_LENGTH} bytes")
        if len(secret) > 64:
            secret = hashlib.sha256(secret).digest()
        padded = secret.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def mac(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    @property
    def id(self) -> str:
        """A short name for the key that gives nothing of it away: checkpoints carry
        it, so a key swapped by mistake is told apart from tampering."""
        return self.mac(b"sharewise trail key id")[:16]

    def __repr__(self) -> str:
        return f"<trail key {self.id}>"


def _at(value: datetime | str) -> str:
    if isinstance(value, str):
        return value
    return value.astimezone(UTC).isoformat(timespec="microseconds")


# What json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False) uses,
# built once: verify() calls canonical() a million times.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def text_digest(text: str) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()


def detail_digest(detail) -> str:
    return hashlib.sha256(
        _ENCODER.encode(detail if detail is not None else {}).encode()
    ).hexdigest()


def canonical(entry: tuple | list) -> bytes:
    """Canonical bytes of one entry given as values in FIELDS order, optionally followed
    by DIGESTS. With digests, the reason and detail are replaced by them (and a marker
    that makes the two forms differ in length, so neither can pass for the other)."""
    values = list(entry)
    values[1] = _at(values[1])
    if len(values) > len(FIELDS):
        digests = values[len(FIELDS) :]
        values = values[: len(FIELDS)]
        if digests[0]:
            values[-2:] = digests
            values.append("digested")
    return _ENCODER.encode(values).encode()


def erased_or_intact(entry: tuple | list) -> str | None:
    """What is wrong with a digested entry's reason and detail, or None: each must
    still match its digest, or be erased (an empty reason, an empty detail)."""
    if len(entry) <= len(FIELDS) or not entry[len(FIELDS)]:
        return None
    reason, detail = entry[len(FIELDS) - 2], entry[len(FIELDS) - 1]
    reason_sha, detail_sha = entry[len(FIELDS)], entry[len(FIELDS) + 1]
    if reason and text_digest(reason) != reason_sha:
        return "altered: its reason does not match its digest"
    if detail and detail_digest(detail) != detail_sha:
        return "altered: its detail does not match its digest"
    return None


def link(key: Key, previous_hash: str, entry: tuple | list) -> str:
    return key.mac(previous_hash.encode() + b"\n" + canonical(entry))


def unkeyed_link(previous_hash: str, entry: tuple | list) -> str:
    """A link as sealed before keying began: anyone can compute it."""
    return hashlib.sha256(previous_hash.encode() + b"\n" + canonical(entry)).hexdigest()


def seal(key: Key, previous_hash: str, entries: Iterable[tuple | list]) -> list[str]:
    """Hashes for entries appended, in order, after previous_hash."""
    hashes = []
    for entry in entries:
        previous_hash = link(key, previous_hash, entry)
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
    key: Key,
    previous_hash: str = GENESIS,
    expected_position: int = 1,
    keyed_from: int = 1,
) -> tuple[int, Break | None, str]:
    """Walk (position, stored hash, sealed entry id, entry values or None) in position
    order; positions before keyed_from are checked as unkeyed links. Returns (entries
    checked, first break or None, last good hash)."""
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
        if position >= keyed_from:
            computed = key.mac(previous_hash.encode() + b"\n" + canonical(entry))
        else:
            computed = unkeyed_link(previous_hash, entry)
        if computed != stored_hash:
            return (
                checked,
                Break(position, entry_id, "altered or reordered: hash does not match"),
                previous_hash,
            )
        if problem := erased_or_intact(entry):
            return checked, Break(position, entry_id, problem), previous_hash
        previous_hash = stored_hash
        expected_position += 1
        checked += 1
    return checked, None, previous_hash


# Checkpoints ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at a moment: how many entries were sealed (the head's position),
    the head's hash and where keyed sealing began, marked with the key."""

    position: int
    hash: str
    keyed_from: int
    at: str  # ISO 8601, UTC
    key_id: str
    mark: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _checkpoint_message(position: int, head: str, keyed_from: int, at: str, key_id: str) -> bytes:
    # "checkpoint\n" cannot begin a link's message, whose newline comes after 64 hex
    # characters, so a checkpoint mark can never pass for a seal or the other way round.
    return b"checkpoint\n" + _ENCODER.encode([position, head, keyed_from, at, key_id]).encode()


def checkpoint(key: Key, position: int, head: str, keyed_from: int, at: datetime) -> Checkpoint:
    when = _at(at)
    message = _checkpoint_message(position, head, keyed_from, when, key.id)
    return Checkpoint(position, head, keyed_from, when, key.id, key.mac(message))


def is_genuine(key: Key, point: Checkpoint) -> bool:
    message = _checkpoint_message(
        point.position, point.hash, point.keyed_from, point.at, point.key_id
    )
    return hmac.compare_digest(key.mac(message), point.mark)


def against_checkpoint(
    point: Checkpoint, top: int, hash_there: str | None, keyed_from: int
) -> str | None:
    """What is wrong with a chain whose newest seal is at `top`, whose seal at the
    checkpoint's position has hash_there, and whose keyed sealing began at keyed_from,
    given a genuine checkpoint taken earlier; None when it still holds."""
    when = point.at[:19].replace("T", " ") + " UTC"
    if top < point.position:
        gone = point.position - top
        if top == 0:
            return (
                f"the trail is empty, but the checkpoint of {when} recorded {point.position:,} "
                f"sealed entries: all of them have been removed"
            )
        return (
            f"cut short: the checkpoint of {when} recorded {point.position:,} sealed entries "
            f"and the trail now ends at position {top:,}: the newest {gone:,} "
            f"{'entry has' if gone == 1 else 'entries have'} been removed"
        )
    if point.position and hash_there != point.hash:
        return (
            f"rewritten: the seal at position {point.position:,} is not the one the "
            f"checkpoint of {when} recorded"
        )
    if keyed_from != point.keyed_from:
        return (
            f"resealed: keyed sealing began at position {point.keyed_from:,} when the "
            f"checkpoint of {when} was taken, but the database now says {keyed_from:,}"
        )
    return None
