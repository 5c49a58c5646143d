"""Backups an operator can restore and prove: the restored database holds what the
manifest says, its trail verifies against the backup's checkpoint, and the site serves
from it (docs/backup-and-restore.md)."""

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from conftest import record_concern
from sharewise.audittrail import backups, chain, keys
from sharewise.audittrail.models import Entry

POSTGRESQL = connection.vendor == "postgresql"
FACTS = "The bell cord was tied up out of her reach after tea."


def _backup(to: Path, capsys) -> dict:
    call_command("backup", to=to)
    printed = capsys.readouterr().out
    manifest = Path(printed.split("Manifest: ", 1)[1].split("\n", 1)[0])
    return {"printed": printed, "manifest": manifest, **json.loads(manifest.read_text())}


def _trail_key_environment() -> dict:
    """The test process's trail key, for a subprocess: a restore needs the same key."""
    if settings.SHAREWISE_TRAIL_KEY:
        return {"SHAREWISE_TRAIL_KEY": settings.SHAREWISE_TRAIL_KEY}
    return {"SHAREWISE_TRAIL_KEY_FILE": settings.SHAREWISE_TRAIL_KEY_FILE}


# PostgreSQL: dump, restore into a fresh database, check, serve -----------------------


@pytest.fixture
def fresh_database():
    """An empty database in the test database's cluster, dropped afterwards; yields its
    name and a DATABASE_URL for it."""
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_restored"
    params = dict(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None)
    with psycopg.connect(
        dbname="postgres", password=db["PASSWORD"] or None, autocommit=True, **params
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        user = quote(db["USER"] or "", safe="")
        secret = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
        at = f"{user}{secret}@" if user else ""
        yield name, f"postgres://{at}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(url: str, *args, checkpoints: Path, tmp_path: Path, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
        env={
            **os.environ,
            **_trail_key_environment(),
            "DJANGO_SETTINGS_MODULE": "sharewise.settings",
            "DATABASE_URL": url,
            "SHAREWISE_VAR_DIR": str(tmp_path / "var"),
            "SHAREWISE_TRAIL_CHECKPOINT_FILE": str(checkpoints),
            **env,
        },
    )


# Run in the restored site: the chronology as a page (signed in as the care worker who
# recorded the concerns) and through the API (the lead's token from before the backup).
SERVE_CHRONOLOGY = """
import json, os
from django.contrib.auth import get_user_model
from django.test import Client
person = os.environ["PERSON"]
page = Client()
page.force_login(get_user_model().objects.get(username="nia"))
got = page.get(f"/people/{person}/chronology/")
api = Client().get(
    f"/api/v1/people/{person}/chronology",
    HTTP_AUTHORIZATION="Bearer " + os.environ["TOKEN"],
)
print(json.dumps({"page": got.status_code, "text": got.content.decode(),
                  "api": api.status_code, "chronology": api.json()}))
"""


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRESQL, reason="pg_dump and pg_restore are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_that_verifies_and_serves_the_chronology(
    transactional_cast, fresh_database, tmp_path, capsys
):
    from sharewise.organisations.models import ApiToken

    cast = transactional_cast
    for days_ago in (1, 3, 5):
        record_concern(cast, days_ago=days_ago, facts=FACTS)
    _, token = ApiToken.issue(cast.sarah, "restore check")
    backup = _backup(tmp_path / "backups", capsys)
    assert backup["counts"]["concerns"] == 3 and backup["counts"]["people"] == 7
    assert backup["counts"]["trail entries"] == Entry.objects.count() > 0
    assert backup["trail"]["unsealed"] == 0  # it ends on a seal

    name, url = fresh_database
    dump = tmp_path / "backups" / backup["dump"]
    restored = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={url}", str(dump)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restored.returncode == 0, restored.stderr
    checkpoint = tmp_path / "backups" / backup["checkpoint_file"]
    run = dict(checkpoints=checkpoint, tmp_path=tmp_path)

    verified = _manage(url, "verify_trail", **run)
    assert verified.returncode == 0, verified.stderr
    assert "Audit trail intact" in verified.stdout
    assert (
        f"The chain holds the latest checkpoint ({backup['trail']['sealed']:,}" in verified.stdout
    )

    checked = _manage(url, "check_restore", str(backup["manifest"]), **run)
    assert checked.returncode == 0, checked.stderr
    assert "This database matches the backup" in checked.stdout
    assert "concerns 3" in checked.stdout

    served = _manage(
        url,
        "shell",
        "-c",
        SERVE_CHRONOLOGY,
        checkpoints=tmp_path / "after-restore.jsonl",
        tmp_path=tmp_path,
        PERSON=str(cast.alice.pk),
        TOKEN=token,
    )
    assert served.returncode == 0, served.stderr
    answer = json.loads(served.stdout.strip().splitlines()[-1])
    assert answer["page"] == 200 and "3 concerns</strong>" in answer["text"]
    assert FACTS in answer["text"]
    assert answer["api"] == 200 and answer["chronology"]["concerns"] == 3

    # Someone removes one entry from the restored trail: the check names what is missing.
    import psycopg

    with psycopg.connect(url, autocommit=True) as restored_db:
        # Counted first: the chronology's reads have been added to the trail since.
        entries = restored_db.execute("SELECT COUNT(*) FROM audittrail_entry").fetchone()[0]
        restored_db.execute("ALTER TABLE audittrail_entry DISABLE TRIGGER USER")
        restored_db.execute(
            "DELETE FROM audittrail_entry WHERE id = (SELECT entry_id FROM audittrail_seal"
            " WHERE position = 2)"
        )
    tampered = _manage(url, "check_restore", str(backup["manifest"]), **run)
    assert tampered.returncode != 0
    assert "This database does not match the backup" in tampered.stderr
    expected = backup["counts"]["trail entries"]
    assert f"- trail entries: {expected:,} in the backup, {entries - 1:,} here." in tampered.stderr


# SQLite: the online backup -----------------------------------------------------------


@pytest.mark.skipif(POSTGRESQL, reason="SQLite's online backup")
@pytest.mark.django_db(transaction=True)
def test_a_sqlite_backup_is_one_file_that_opens_and_holds_what_its_manifest_says(
    transactional_cast, tmp_path, capsys
):
    cast = transactional_cast
    record_concern(cast, facts=FACTS)
    record_concern(cast, person=cast.bob, team=cast.day, by=cast.tom)
    backup = _backup(tmp_path / "backups", capsys)
    folder = tmp_path / "backups"
    dump = folder / backup["dump"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for written in (dump, backup["manifest"], folder / backup["checkpoint_file"]):
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert f"Backup: {dump}" in backup["printed"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [dump.name, backup["manifest"].name, backup["checkpoint_file"]]
    )  # no write-ahead log beside it: one file to keep

    copy = sqlite3.connect(dump)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT COUNT(*) FROM concerns_concern").fetchone() == (2,)
        assert copy.execute("SELECT COUNT(*) FROM audittrail_entry").fetchone() == (
            backup["counts"]["trail entries"],
        )
        assert copy.execute(
            "SELECT position, hash FROM audittrail_seal ORDER BY position DESC LIMIT 1"
        ).fetchone() == (backup["trail"]["sealed"], backup["trail"]["head"])
    finally:
        copy.close()
    assert backup["counts"]["concerns"] == 2 and backup["bytes"] == dump.stat().st_size
    point = chain.Checkpoint(**json.loads((folder / backup["checkpoint_file"]).read_text()))
    assert chain.is_genuine(keys.trail_key(), point)
    assert (point.position, point.hash) == (backup["trail"]["sealed"], backup["trail"]["head"])

    call_command("check_restore", backup["manifest"])
    assert "This database matches the backup" in capsys.readouterr().out
    with dump.open("ab") as damaged:
        damaged.write(b"\0")
    with pytest.raises(CommandError, match="no longer has the SHA-256 its manifest recorded"):
        call_command("check_restore", backup["manifest"])


# The check against a manifest, on either database ------------------------------------


def _manifest_of_now(tmp_path: Path, **changes) -> Path:
    with connection.cursor() as cursor:
        now = backups.describe(cursor)
    for part, values in changes.items():
        now[part] = {**now[part], **values}
    manifest = {
        "format": backups.FORMAT,
        "taken_at": "2026-12-01T02:00:00Z",
        "dump": "sharewise-20261201T020000Z.dump",
        "sha256": "",
        "versions": backups.versions(),
        **now,
    }
    path = tmp_path / "sharewise-20261201T020000Z.json"
    path.write_text(json.dumps(manifest))
    return path


@pytest.fixture
def trail_with_concerns(cast):
    record_concern(cast)
    record_concern(cast, days_ago=2)
    call_command("seal_trail", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return cast


def test_a_restore_that_matches_its_manifest_says_so(trail_with_concerns, tmp_path, capsys):
    call_command("check_restore", _manifest_of_now(tmp_path))
    said = capsys.readouterr().out
    assert "This database matches the backup of 2026-12-01T02:00:00Z" in said
    assert "concerns 2" in said and "the audit trail holds the backup's head" in said


def test_a_restore_that_differs_from_its_manifest_is_refused_naming_each_difference(
    trail_with_concerns, tmp_path
):
    sealed = Entry.objects.filter(seal__isnull=False).count()
    manifest = _manifest_of_now(
        tmp_path,
        counts={"concerns": 3},
        trail={"head": "f" * 64, "key_id": "0123456789abcdef"},
    )
    with pytest.raises(CommandError) as refused:
        call_command("check_restore", manifest)
    said = str(refused.value)
    assert "does not match the backup of 2026-12-01T02:00:00Z" in said
    assert "- concerns: 3 in the backup, 2 here." in said
    assert f"seal at position {sealed:,} is not the one the backup ended on" in said
    assert "is not the one the backup was sealed with (id 0123456789abcdef)" in said
    assert "SHAREWISE_TRAIL_KEY_FILE" in said

    shorter = _manifest_of_now(tmp_path, trail={"sealed": sealed + 5})
    with pytest.raises(CommandError, match=f"has {sealed:,} sealed entries; the backup ended"):
        call_command("check_restore", shorter)


def test_check_restore_says_what_it_was_given_is_not_a_manifest(db, tmp_path):
    with pytest.raises(CommandError, match="There is no manifest at"):
        call_command("check_restore", tmp_path / "missing.json")
    dump = tmp_path / "sharewise.dump"
    dump.write_bytes(b"PGDMP")
    with pytest.raises(CommandError, match="cannot be read as a backup manifest"):
        call_command("check_restore", dump)
    (tmp_path / "other.json").write_text('{"hello": 1}')
    with pytest.raises(CommandError, match="is not a Sharewise backup manifest"):
        call_command("check_restore", tmp_path / "other.json")


# What an operator gets wrong ------------------------------------------------------------


def test_a_missing_pg_dump_names_the_package_to_install(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(backups.BackupError, match="install Debian's postgresql-client"):
        backups.pg_dump_command()


def test_the_database_password_reaches_pg_dump_only_through_its_environment(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(
        connections["default"],
        "settings_dict",
        {
            **connections["default"].settings_dict,
            "NAME": "sharewise",
            "HOST": "db.internal",
            "PORT": "5432",
            "USER": "sharewise_owner",
            "PASSWORD": "correct-horse-battery",
            "OPTIONS": {"sslmode": "verify-full"},
        },
    )
    command, env = backups.pg_dump_command(snapshot="00000003-1")
    assert command == [
        "/usr/bin/pg_dump",
        "--format=custom",
        "--no-password",
        "--dbname=sharewise",
        "--host=db.internal",
        "--port=5432",
        "--username=sharewise_owner",
        "--snapshot=00000003-1",
    ]
    assert not any("correct-horse" in part for part in command)
    assert env["PGPASSWORD"] == "correct-horse-battery" and env["PGSSLMODE"] == "verify-full"


def test_a_backup_directory_that_cannot_be_made_is_named(db, tmp_path):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(CommandError, match=r"Cannot make the backup directory .*a-file/backups"):
        call_command("backup", to=tmp_path / "a-file" / "backups")


def test_a_backup_runs_on_its_own_not_inside_a_transaction(db, tmp_path):
    with pytest.raises(CommandError, match="outside a transaction"):
        call_command("backup", to=tmp_path)
    assert not list(tmp_path.iterdir())
