"""Checking a restored database against the manifest of the backup it came from: the
same row counts, the trail ending on the backup's seal, under the same trail key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

from sharewise.audittrail import backups, statements
from sharewise.audittrail.backups import BackupError


@dataclass
class Comparison:
    manifest: dict
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads(Path(path).read_text())
    except FileNotFoundError as error:
        raise BackupError(f"There is no manifest at {path}.") from error
    except (OSError, ValueError) as error:
        raise BackupError(f"{path} cannot be read as a backup manifest: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != backups.FORMAT:
        raise BackupError(
            f"{path} is not a Sharewise backup manifest (the .json file written beside "
            "the backup by `manage.py backup`)."
        )
    return manifest


def compare(path: Path) -> Comparison:
    """What differs between the database as it is now and the backup's manifest."""
    manifest = read_manifest(path)
    found = Comparison(manifest)
    with connection.cursor() as cursor:
        now = backups.describe(cursor)
        _counts(found, manifest["counts"], now["counts"])
        _trail(found, manifest["trail"], now["trail"], cursor)
    _dump_file(found, Path(path).parent / manifest["dump"], manifest)
    here = backups.versions()
    for name, then in manifest.get("versions", {}).items():
        if name in here and here[name] != then:
            found.notes.append(f"The backup was taken with {name} {then}; this is {here[name]}.")
    return found


def _counts(found: Comparison, then: dict, now: dict) -> None:
    for label, expected in then.items():
        actual = now.get(label)
        if actual != expected:
            here = "none counted" if actual is None else f"{actual:,}"
            found.differences.append(f"{label}: {expected:,} in the backup, {here} here.")


def _trail(found: Comparison, then: dict, now: dict, cursor) -> None:
    if then["key_id"] != now["key_id"]:
        found.differences.append(
            f"The audit trail key here (id {now['key_id']}) is not the one the backup was "
            f"sealed with (id {then['key_id']}): set SHAREWISE_TRAIL_KEY_FILE to that key's "
            "file, or no seal can be checked."
        )
    position = then["sealed"]
    if now["sealed"] < position:
        found.differences.append(
            f"The audit trail here has {now['sealed']:,} sealed entries; the backup ended "
            f"on the seal of entry {position:,}."
        )
        return
    there = then["head"]
    if position:
        cursor.execute(statements.sql(connection.vendor)["hash_at"], [position])
        row = cursor.fetchone()
        there = row[0] if row else None
    if there != then["head"]:
        found.differences.append(
            f"The audit trail's seal at position {position:,} is not the one the backup "
            "ended on: this is not the trail that was backed up."
        )


def _dump_file(found: Comparison, dump: Path, manifest: dict) -> None:
    """The backup file beside the manifest, when it is there, still as it was written."""
    if not dump.exists():
        return
    digest = hashlib.sha256()
    with dump.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    if digest.hexdigest() != manifest["sha256"]:
        found.differences.append(
            f"The backup file {dump} no longer has the SHA-256 its manifest recorded: "
            "it has changed or been damaged since the backup."
        )
