"""A trail that cannot be cut or rewritten unnoticed: the key lives outside the database,
and checkpoints outside it remember how far the chain went."""

import json
import logging
import os
import stat
import subprocess
import sys
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from sharewise.audittrail import chain, checkpoints, keys, trail
from sharewise.audittrail.models import Entry, KeyedSealing, Seal

POSTGRESQL = connection.vendor == "postgresql"


def _tamper(*statements):
    """Change the tables behind the application's back, as someone with database access
    might; on PostgreSQL that first means switching off the refusal."""
    with connection.cursor() as cursor:
        if POSTGRESQL:
            for table in ("audittrail_entry", "audittrail_seal", "audittrail_keyedsealing"):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)


@pytest.fixture
def sealed_trail(db):
    for i in range(12):
        trail.record(
            action="viewed record",
            object_type="person",
            object_id=i,
            person_id=i,
            reason=f"reason {i}",
            detail={"n": i},
        )
    trail.seal_pending()
    return list(Seal.objects.order_by("position").values_list("position", "entry_id"))


@pytest.fixture
def checkpointed(sealed_trail, capsys):
    call_command("seal_trail")
    capsys.readouterr()
    return sealed_trail


def verify_fails(match):
    with pytest.raises(CommandError, match=match):
        call_command("verify_trail", workers=1)


def test_seal_trail_writes_a_keyed_checkpoint_to_the_file_and_the_log(sealed_trail, capsys, caplog):
    trail.record(action="viewed record", person_id=99)
    with caplog.at_level(logging.INFO, logger="sharewise.audittrail"):
        call_command("seal_trail")
    out = capsys.readouterr().out
    assert "Sealed 1 entries." in out and "Checkpoint: 13 sealed entries" in out
    lines = checkpoints.path().read_text().splitlines()
    written = chain.Checkpoint(**json.loads(lines[-1]))
    head = Seal.objects.get(position=13)
    assert (written.position, written.hash, written.keyed_from) == (13, head.hash, 1)
    assert chain.is_genuine(keys.trail_key(), written)
    assert any(written.mark in record.getMessage() for record in caplog.records)


def test_an_intact_trail_holds_its_latest_checkpoint(checkpointed, capsys):
    trail.record(action="viewed record", person_id=99)  # written after the checkpoint
    trail.seal_pending()
    call_command("verify_trail")
    out = capsys.readouterr().out
    assert "Audit trail intact: 13 entries checked" in out
    assert "The chain holds the latest checkpoint (12 sealed entries" in out


def test_without_a_checkpoint_verify_says_what_it_cannot_see(sealed_trail, capsys):
    call_command("verify_trail")
    out = capsys.readouterr().out
    assert "Audit trail intact: 12 entries checked" in out
    assert "No checkpoint found" in out and "would not be noticed" in out


def test_truncating_the_trail_is_detected(checkpointed):
    if POSTGRESQL:
        _tamper(("TRUNCATE audittrail_entry, audittrail_seal", []))
    else:
        _tamper(("DELETE FROM audittrail_seal", []), ("DELETE FROM audittrail_entry", []))
    assert trail.verify().checked == 0
    verify_fails(
        r"the trail is empty, but the checkpoint of .* UTC recorded 12 sealed entries: "
        r"all of them have been removed"
    )


def test_deleting_the_newest_ten_entries_with_their_seals_is_detected(checkpointed):
    gone = [entry_id for _, entry_id in checkpointed[-10:]]
    marks = ", ".join(["%s"] * len(gone))
    _tamper(
        (f"DELETE FROM audittrail_seal WHERE entry_id IN ({marks})", gone),
        (f"DELETE FROM audittrail_entry WHERE id IN ({marks})", gone),
    )
    result = trail.verify()
    assert result.broken is None and result.checked == 2  # what is left links up
    assert not result.ok
    verify_fails(
        r"cut short: the checkpoint of .* recorded 12 sealed entries and the trail now ends "
        r"at position 2: the newest 10 entries have been removed"
    )


def test_cutting_the_trail_and_growing_it_again_is_detected(checkpointed):
    gone = [entry_id for _, entry_id in checkpointed[-3:]]
    _tamper(
        ("DELETE FROM audittrail_seal WHERE position > 9", []),
        (f"DELETE FROM audittrail_entry WHERE id IN ({', '.join(['%s'] * 3)})", gone),
    )
    for i in range(5):  # the trail carries on, past where the checkpoint was taken
        trail.record(action="viewed record", person_id=100 + i)
    trail.seal_pending()
    assert trail.verify().broken is None
    verify_fails(r"rewritten: the seal at position 12 is not the one the checkpoint")
    # Nor will a new checkpoint paper over it.
    with pytest.raises(CommandError, match="No checkpoint written"):
        call_command("seal_trail")


def _reseal(how: str):
    """Every seal recomputed as someone with the database but not the key would."""
    rows = list(
        Seal.objects.order_by("position").values_list("position", "entry_id")
    )  # positions 1..n
    entries = {e.pk: e.values() for e in Entry.objects.all()}
    previous, resealed = chain.GENESIS, []
    other = chain.Key(b"a key that is not the trail's key, guessed")
    for position, entry_id in rows:
        if how == "another key":
            previous = chain.link(other, previous, entries[entry_id])
        else:
            previous = chain.unkeyed_link(previous, entries[entry_id])
        resealed.append((position, previous))
    _tamper(
        *[
            ("UPDATE audittrail_seal SET hash = %s WHERE position = %s", [h, position])
            for position, h in resealed
        ]
    )


@pytest.mark.parametrize("how", ["plain SHA-256", "another key"])
def test_rewriting_an_entry_and_recomputing_every_seal_without_the_key_is_detected(
    checkpointed, how
):
    position, entry_id = checkpointed[4]
    _tamper(("UPDATE audittrail_entry SET actor = %s WHERE id = %s", ["someone else", entry_id]))
    _reseal(how)
    result = trail.verify()
    # Every seal was recomputed, so the first no longer matches the key.
    assert (result.broken.position, result.broken.problem) == (
        1,
        "altered or reordered: hash does not match",
    )
    verify_fails(r"Audit trail broken at position 1 \(entry \d+\)")


def test_passing_the_whole_trail_off_as_unkeyed_is_detected(checkpointed, capsys):
    """Rewrite, reseal with plain SHA-256 and claim keyed sealing has not begun yet: the
    links hold, verify says every entry is unkeyed, and the checkpoint says otherwise."""
    position, entry_id = checkpointed[4]
    _tamper(
        ("UPDATE audittrail_entry SET actor = %s WHERE id = %s", ["someone else", entry_id]),
        ("INSERT INTO audittrail_keyedsealing (position, at) VALUES (%s, %s)", [13, "2026-01-01"]),
    )
    _reseal("plain SHA-256")
    result = trail.verify()
    assert result.broken is None and result.unkeyed == 12
    verify_fails(r"rewritten: the seal at position 12 is not the one the checkpoint")
    assert "12 entries (positions 1 to 12) were sealed before keyed sealing began" in (
        capsys.readouterr().out
    )


def test_a_trail_sealed_before_keying_keeps_verifying_and_says_which_part_is_unkeyed(db, capsys):
    """A database from before keyed sealing (the demo's, say): its plain seals are
    checked as such, new seals are keyed, and verify says where the line is."""
    old = [trail.record(action="viewed record", person_id=i) for i in range(3)]
    previous = chain.GENESIS
    for position, entry in enumerate(old, start=1):
        previous = chain.unkeyed_link(previous, Entry.objects.get(pk=entry.pk).values())
        Seal.objects.create(position=position, entry_id=entry.pk, hash=previous)
    migration = import_module("sharewise.audittrail.migrations.0003_keyed_sealing")
    migration.record_where_keying_began(apps, None)
    assert KeyedSealing.objects.get().position == 4
    trail.record(action="viewed record", person_id=9)
    assert trail.seal_pending() == 1
    call_command("verify_trail")
    out = capsys.readouterr().out
    assert "Audit trail intact: 4 entries checked" in out
    assert "3 entries (positions 1 to 3) were sealed before keyed sealing began" in out
    assert Seal.objects.get(position=4).hash == chain.link(
        keys.trail_key(), previous, Entry.objects.order_by("-id").first().values()
    )


def test_a_checkpoint_edited_in_the_file_is_not_trusted(checkpointed):
    file = checkpoints.path()
    point = json.loads(file.read_text().splitlines()[-1])
    file.write_text(json.dumps({**point, "position": 2}) + "\n")  # as if cut at 2
    verify_fails(r"a checkpoint line does not carry the trail key's mark .*: the file was edited")


def test_a_checkpoint_written_with_another_key_is_named_as_such(checkpointed, settings):
    real = keys.trail_key().id
    settings.SHAREWISE_TRAIL_KEY = "x" * 64  # the application given the wrong key
    verify_fails(rf"written with another key \({real}\)")


def test_requests_that_seal_take_a_checkpoint_now_and_then(
    cast, as_user, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.SHAREWISE_TRAIL_CHECKPOINT_EVERY = 3600
    monkeypatch.setattr(trail, "_last_checkpoint", [float("-inf")])
    with django_capture_on_commit_callbacks(execute=True):
        as_user(cast.nia).get(f"/people/{cast.alice.pk}/")
        as_user(cast.nia).get(f"/people/{cast.alice.pk}/")
    lines = checkpoints.path().read_text().splitlines()
    assert len(lines) == 1  # the second request sealed too, within the hour
    assert json.loads(lines[0])["position"] == Seal.objects.count()
    # Cut after that checkpoint: verify notices without anyone running seal_trail.
    _tamper(
        ("DELETE FROM audittrail_seal", []),
        ("DELETE FROM audittrail_entry", []),
    )
    assert "the trail is empty" in trail.verify().checkpoint_problem


def test_the_api_reports_a_cut_trail(checkpointed, api, cast):
    _tamper(("DELETE FROM audittrail_seal WHERE position > 6", []))
    answer = api(cast.david).get("/api/v1/audit-trail/verify").json()
    assert answer["intact"] is False and answer["first_broken"] is None
    assert answer["checkpoint"]["position"] == 12
    assert "the newest 6 entries have been removed" in answer["checkpoint_problem"]


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRESQL, reason="the database-level refusal is PostgreSQL's")
def test_postgresql_refuses_truncate_of_the_trail(sealed_trail):
    for table in ("audittrail_entry", "audittrail_seal", "audittrail_keyedsealing"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL sharewise.trail_truncate_allowed = 'no'")
                cursor.execute(f"TRUNCATE {table} CASCADE")
    assert Entry.objects.count() == 12


# The key -----------------------------------------------------------------------------


def test_in_development_the_key_file_is_made_on_first_use_for_its_owner_only(tmp_path, settings):
    settings.SHAREWISE_TRAIL_KEY = ""
    settings.SHAREWISE_TRAIL_KEY_FILE = str(tmp_path / "trail.key")
    key = keys.trail_key()
    made = tmp_path / "trail.key"
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert len(made.read_text().strip()) == 64
    assert keys.trail_key() is key
    assert os.listdir(tmp_path) == ["trail.key"]  # no drafts left behind


def test_the_key_comes_from_the_environment_before_any_file(tmp_path, settings):
    settings.SHAREWISE_TRAIL_KEY = "k" * 32
    settings.SHAREWISE_TRAIL_KEY_FILE = str(tmp_path / "never.key")
    assert keys.trail_key().id == chain.Key(b"k" * 32).id
    assert not (tmp_path / "never.key").exists()


def test_a_missing_key_file_is_not_made_up_outside_development(tmp_path, settings):
    settings.SHAREWISE_TRAIL_KEY = ""
    settings.SHAREWISE_TRAIL_KEY_FILE = str(tmp_path / "trail.key")
    settings.SHAREWISE_TRAIL_KEY_CREATE = False
    with pytest.raises(ImproperlyConfigured, match="trail.key does not exist"):
        keys.trail_key()
    (tmp_path / "trail.key").write_text("short\n")
    with pytest.raises(ImproperlyConfigured, match="too short: it needs at least 32"):
        keys.trail_key()


def test_production_refuses_to_start_without_a_trail_key():
    env = {
        "DJANGO_SETTINGS_MODULE": "sharewise.settings_production",
        "SECRET_KEY": "x" * 60 + "production-like-secret",
        "ALLOWED_HOSTS": "sharewise.example.org",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "Set SHAREWISE_TRAIL_KEY_FILE" in result.stderr
