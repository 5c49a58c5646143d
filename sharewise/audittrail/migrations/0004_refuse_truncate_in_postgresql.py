"""On PostgreSQL the database refuses TRUNCATE of the trail, as it refuses UPDATE and
DELETE, and refuses any change to where keyed sealing began. The table owner can still
switch the triggers off; production runs the application as a role that is not the
owner and has no TRUNCATE (docs/database-roles.md).

Django's test runner empties tables with TRUNCATE between transactional tests: it sets
sharewise.trail_truncate_allowed for its own connections (see conftest.py)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION sharewise_trail_refuses_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('sharewise.trail_truncate_allowed', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audittrail_keyedsealing_append_only BEFORE UPDATE OR DELETE
    ON audittrail_keyedsealing
    FOR EACH ROW EXECUTE FUNCTION sharewise_trail_is_append_only();
CREATE TRIGGER audittrail_entry_no_truncate BEFORE TRUNCATE ON audittrail_entry
    FOR EACH STATEMENT EXECUTE FUNCTION sharewise_trail_refuses_truncate();
CREATE TRIGGER audittrail_seal_no_truncate BEFORE TRUNCATE ON audittrail_seal
    FOR EACH STATEMENT EXECUTE FUNCTION sharewise_trail_refuses_truncate();
CREATE TRIGGER audittrail_keyedsealing_no_truncate BEFORE TRUNCATE ON audittrail_keyedsealing
    FOR EACH STATEMENT EXECUTE FUNCTION sharewise_trail_refuses_truncate();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audittrail_keyedsealing_append_only ON audittrail_keyedsealing;
DROP TRIGGER IF EXISTS audittrail_entry_no_truncate ON audittrail_entry;
DROP TRIGGER IF EXISTS audittrail_seal_no_truncate ON audittrail_seal;
DROP TRIGGER IF EXISTS audittrail_keyedsealing_no_truncate ON audittrail_keyedsealing;
DROP FUNCTION IF EXISTS sharewise_trail_refuses_truncate();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audittrail", "0003_keyed_sealing")]
    operations = [migrations.RunPython(forward, backward)]
