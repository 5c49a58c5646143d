"""On PostgreSQL the database itself refuses UPDATE and DELETE on the trail, so a bug
or an injected query in the application cannot rewrite history. (TRUNCATE stays with
the table owner; production runs the application as a role without it.)"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION sharewise_trail_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audittrail_entry_append_only BEFORE UPDATE OR DELETE ON audittrail_entry
    FOR EACH ROW EXECUTE FUNCTION sharewise_trail_is_append_only();
CREATE TRIGGER audittrail_seal_append_only BEFORE UPDATE OR DELETE ON audittrail_seal
    FOR EACH ROW EXECUTE FUNCTION sharewise_trail_is_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audittrail_entry_append_only ON audittrail_entry;
DROP TRIGGER IF EXISTS audittrail_seal_append_only ON audittrail_seal;
DROP FUNCTION IF EXISTS sharewise_trail_is_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audittrail", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
