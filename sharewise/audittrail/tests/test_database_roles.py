"""Production runs the application as a PostgreSQL role that may only add to the trail
and read it (docs/database-roles.md): shown here with a real role and connection."""

import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sharewise.audittrail.management.commands.grant_app_role import TRAIL_TABLES

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="roles are PostgreSQL's"
)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's answer")
def test_sqlite_has_no_roles_to_grant(db):
    with pytest.raises(CommandError, match="SQLite has none"):
        call_command("grant_app_role", "sharewise_app")


@pytest.fixture
def application_role(transactional_db):
    """A new login role given the application's grants, and a connection as it. The
    role must exist outside the test's transaction for another connection to use it."""
    import psycopg

    name = f"sharewise_app_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"
        )
        if not cursor.fetchone()[0]:
            pytest.skip("the test database's user may not create roles")
        cursor.execute(f"CREATE ROLE {name} LOGIN")
    try:
        call_command("grant_app_role", name)
        settings = connection.settings_dict
        with psycopg.connect(
            dbname=settings["NAME"],
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            user=name,
            autocommit=True,
        ) as app:
            yield app
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {name}")
            cursor.execute(f"DROP ROLE {name}")


@pytest.mark.postgres
@ON_POSTGRESQL
def test_the_application_role_adds_to_and_reads_the_trail_but_cannot_change_or_empty_it(
    application_role,
):
    import psycopg

    app = application_role
    with app.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audittrail_entry (at, actor, action, object_type, object_id, reason,"
            " detail) VALUES (now(), 'nia', 'viewed record', 'person', '1', '', '{}')"
            " RETURNING id"
        )
        entry_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO audittrail_seal (position, entry_id, hash) VALUES (1, %s, %s)",
            [entry_id, "0" * 64],
        )
        cursor.execute("SELECT action FROM audittrail_entry WHERE id = %s", [entry_id])
        assert cursor.fetchone() == ("viewed record",)
        # Everything else the application does still works.
        cursor.execute("UPDATE django_session SET expire_date = expire_date")

    refused = {
        "UPDATE audittrail_entry SET reason = 'covering up'",
        "DELETE FROM audittrail_entry",
        "TRUNCATE audittrail_entry",
        "UPDATE audittrail_seal SET hash = 'x'",
        "DELETE FROM audittrail_seal",
        "TRUNCATE audittrail_seal",
        "DELETE FROM audittrail_keyedsealing",
        "TRUNCATE audittrail_keyedsealing",
    }
    for statement in sorted(refused):
        # The role may erase a destroyed person's text (the reason and detail columns);
        # the trail's trigger refuses any other update of them.
        with pytest.raises(
            psycopg.errors.InsufficientPrivilege, match="permission denied|append-only"
        ):
            with app.cursor() as cursor:
                cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM audittrail_entry WHERE id = %s", [entry_id])
        assert cursor.fetchone() == ("",)


@pytest.mark.postgres
@ON_POSTGRESQL
def test_the_grants_can_be_printed_for_a_database_administrator(db, capsys):
    call_command("grant_app_role", "sharewise_app", "--print")
    printed = capsys.readouterr().out
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public"' in printed
    assert (
        "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "
        + ", ".join(f'"{t}"' for t in TRAIL_TABLES)
        + ' FROM "sharewise_app";'
    ) in printed
