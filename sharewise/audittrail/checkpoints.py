"""The checkpoint file: one keyed checkpoint of the chain's head a line, only ever
appended to, outside the database it vouches for. Every checkpoint also goes to the
log, which usually lives further away still."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from sharewise.audittrail import chain

logger = logging.getLogger("sharewise.audittrail.checkpoints")

# Enough of the file's end for a few hours of checkpoints from several processes: each
# checkpoint is only written if the chain still holds the one before it, so the newest
# vouches for all the earlier ones.
TAIL_BYTES = 256 * 1024


def path() -> Path:
    return Path(settings.SHAREWISE_TRAIL_CHECKPOINT_FILE)


def append(point: chain.Checkpoint) -> None:
    line = json.dumps(point.as_dict(), sort_keys=True) + "\n"
    file = path()
    file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, line.encode())  # one write: lines from processes never mix
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    logger.info("Audit trail checkpoint: %s", line.strip())


@dataclass
class Found:
    latest: chain.Checkpoint | None  # the genuine one furthest along the chain
    bad: int = 0  # lines that do not carry this key's mark
    other_keys: frozenset[str] = frozenset()

    def problem(self) -> str | None:
        if not self.bad:
            return None
        lines = "line does" if self.bad == 1 else f"{self.bad} lines do"
        because = (
            f"written with another key ({', '.join(sorted(self.other_keys))})"
            if self.other_keys
            else "the file was edited"
        )
        return f"a checkpoint {lines} not carry the trail key's mark in {path()}: {because}"


def read(key: chain.Key, tail_bytes: int = TAIL_BYTES) -> Found:
    try:
        with path().open("rb") as file:
            file.seek(0, os.SEEK_END)
            size = file.tell()
            file.seek(max(0, size - tail_bytes))
            text = file.read()
    except FileNotFoundError:
        return Found(None)
    lines = text.split(b"\n")
    if size > tail_bytes:
        lines = lines[1:]  # begins part-way through a line
    lines = lines[:-1]  # after the last newline: nothing, or a line cut off while written
    found = Found(None)
    others = set()
    for line in lines:
        if not line.strip():
            continue
        try:
            point = chain.Checkpoint(**json.loads(line))
            genuine = chain.is_genuine(key, point)
        except (ValueError, TypeError):
            found.bad += 1
            continue
        if not genuine:
            found.bad += 1
            if point.key_id != key.id:
                others.add(str(point.key_id))
            continue
        if found.latest is None or point.position >= found.latest.position:
            found.latest = point
    found.other_keys = frozenset(others)
    return found
