"""Backups of the whole database that end on a seal of the trail, each with a manifest
saying what it holds (row counts, the trail's head, a SHA-256 of the file), so that a
restore can be checked against it (docs/backup-and-restore.md).

The counts and the head are read in the very snapshot the backup copies: on
PostgreSQL, pg_dump runs in a snapshot exported by our own transaction; on SQLite they
are counted in the copy itself.

This app imports no other Sharewise app: the tables counted are named by their
models' labels and found through Django's app registry."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from sharewise.audittrail import chain, trail
from sharewise.audittrail.keys import trail_key
from sharewise.audittrail.models import Entry, Seal

FORMAT = "sharewise backup 1"

# What a manifest counts, in the words of its report, and each table's model.
COUNTED = {
    "people": "people.Person",
    "staff accounts": settings.AUTH_USER_MODEL,
    "concerns": "concerns.Concern",
    "alerts": "patterns.Alert",
    "alert decisions": "patterns.AlertDecision",
    "sharing decisions": "sharing.SharingDecision",
    "disclosures": "disclosures.Disclosure",
    "trail entries": "audittrail.Entry",
    "trail seals": "audittrail.Seal",
}

# Passed to pg_dump through its environment, never its command line.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


class BackupError(Exception):
    """Something the operator must put right, said in words."""


def default_directory() -> Path:
    return Path(getattr(settings, "VAR_DIR", Path("var"))) / "backups"


def describe(cursor) -> dict:
    """Row counts and the trail's head, read through any DB-API cursor: the application's
    own connection, or a SQLite copy opened on its own."""
    counts = {}
    for label, model_label in COUNTED.items():
        table = apps.get_model(model_label)._meta.db_table
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (names from models)
        counts[label] = cursor.fetchone()[0]
    seal, entry = Seal._meta.db_table, Entry._meta.db_table
    cursor.execute(f'SELECT position, hash FROM "{seal}" ORDER BY position DESC LIMIT 1')  # noqa: S608
    found = cursor.fetchone()
    sealed, head = (found[0], found[1]) if found else (0, chain.GENESIS)
    cursor.execute(
        f'SELECT COUNT(*) FROM "{entry}" e LEFT JOIN "{seal}" s ON s.entry_id = e.id'  # noqa: S608
        " WHERE s.position IS NULL"
    )
    unsealed = cursor.fetchone()[0]
    return {
        "counts": counts,
        "trail": {"sealed": sealed, "head": head, "unsealed": unsealed, "key_id": trail_key().id},
    }


@dataclass
class Written:
    dump: Path
    manifest: Path
    checkpoint: Path
    described: dict
    checkpoint_problem: str | None


def take(directory: Path) -> Written:
    """Seal the trail, write a checkpoint of its head, copy the database, and write the
    manifest and that checkpoint beside the copy."""
    if connection.vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups are made of PostgreSQL or SQLite, not {connection.vendor}.")
    directory = _writable(directory)
    if connection.in_atomic_block:
        raise BackupError("A backup runs on its own, outside a transaction.")
    trail.seal_pending(everything=True, checkpoint=False)
    point, problem = trail.take_checkpoint()
    taken_at = datetime.now(UTC)
    stem = "sharewise-" + taken_at.strftime("%Y%m%dT%H%M%SZ")
    suffix = ".dump" if connection.vendor == "postgresql" else ".sqlite3"
    dump = directory / (stem + suffix)
    try:
        described = _pg_dump(dump) if connection.vendor == "postgresql" else _sqlite_copy(dump)
    except BaseException:
        dump.unlink(missing_ok=True)
        raise
    checkpoint = directory / (stem + ".checkpoint.jsonl")
    if point is not None:
        _write_new(checkpoint, json.dumps(point.as_dict(), sort_keys=True) + "\n")
    manifest = directory / (stem + ".json")
    described = {**_about(taken_at, dump, checkpoint if point else None), **described}
    if problem:
        described["checkpoint_problem"] = problem
    _write_new(manifest, json.dumps(described, indent=2) + "\n")
    return Written(dump, manifest, checkpoint, described, problem)


def _writable(directory: Path) -> Path:
    directory = Path(directory).absolute()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(
            f"Cannot make the backup directory {directory}: {error.strerror}. "
            "Choose another with --to."
        ) from error
    if not directory.is_dir() or not os.access(directory, os.W_OK | os.X_OK):
        raise BackupError(
            f"The backup directory {directory} is not writable by this user. "
            "Choose another with --to, or give this user write access to it."
        )
    return directory


def _write_new(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(text)


def _about(taken_at: datetime, dump: Path, checkpoint: Path | None) -> dict:
    digest = hashlib.sha256()
    with dump.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return {
        "format": FORMAT,
        "taken_at": taken_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "database": connection.vendor,
        "dump": dump.name,
        "sha256": digest.hexdigest(),
        "bytes": dump.stat().st_size,
        "checkpoint_file": checkpoint.name if checkpoint else None,
        "versions": versions(),
    }


def versions() -> dict:
    try:
        sharewise = metadata.version("sharewise")
    except metadata.PackageNotFoundError:
        sharewise = "unknown"
    found = {
        "sharewise": sharewise,
        "django": django.get_version(),
        "python": ".".join(map(str, sys.version_info[:3])),
    }
    if connection.vendor == "postgresql":
        found["postgresql"] = str(connection.pg_version)
    return found


def pg_dump_command(snapshot: str | None = None) -> tuple[list[str], dict]:
    """pg_dump's command line and environment for the configured database: the password
    goes in the environment, where other users' `ps` cannot read it."""
    executable = shutil.which("pg_dump")
    if executable is None:
        raise BackupError(
            "pg_dump is not installed: install Debian's postgresql-client "
            "(apt-get install postgresql-client), of the server's major version or newer."
        )
    db = connection.settings_dict
    command = [executable, "--format=custom", "--no-password", f"--dbname={db['NAME']}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command.append(f"{option}={db[key]}")
    if snapshot:
        command.append(f"--snapshot={snapshot}")
    env = {**os.environ, "PGAPPNAME": "sharewise backup"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    for option, variable in _LIBPQ_OPTIONS.items():
        if db.get("OPTIONS", {}).get(option):
            env[variable] = str(db["OPTIONS"][option])
    return command, env


def _pg_dump(dump: Path) -> dict:
    """pg_dump in a snapshot our own transaction exports and holds open, so the counts
    and the head read in it describe exactly what the dump holds."""
    command, env = pg_dump_command()  # refuses a missing pg_dump before anything else
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        command.append(f"--snapshot={cursor.fetchone()[0]}")
        described = describe(cursor)
        descriptor = os.open(dump, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            done = subprocess.run(  # noqa: S603 (our own command line)
                command, stdout=descriptor, stderr=subprocess.PIPE, env=env, check=False
            )
        finally:
            os.close(descriptor)
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip()
        raise BackupError(f"pg_dump failed (exit {done.returncode}): {said}")
    return described


def _sqlite_copy(dump: Path) -> dict:
    """SQLite's online backup: a consistent copy while others read and write, made one
    self-contained file (no write-ahead log beside it), counted in the copy itself."""
    _write_new(dump, "")
    connection.ensure_connection()
    copy = sqlite3.connect(dump)
    try:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        return describe(copy.cursor())
    finally:
        copy.close()
