"""On PostgreSQL the trail still refuses every UPDATE and DELETE but one: erasing the
reason or detail of an entry that carries their digests (destroying a person's records
past retention). The chain covers those digests, so erasure leaves it verifiable; every
other column, and any other change to the text, is refused as before."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION sharewise_trail_entry_erasable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.reason_sha256 <> ''
            AND NEW.id = OLD.id AND NEW.at = OLD.at
            AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id AND NEW.actor = OLD.actor
            AND NEW.action = OLD.action AND NEW.object_type = OLD.object_type
            AND NEW.object_id = OLD.object_id
            AND NEW.person_id IS NOT DISTINCT FROM OLD.person_id
            AND NEW.organisation_id IS NOT DISTINCT FROM OLD.organisation_id
            AND NEW.client_address IS NOT DISTINCT FROM OLD.client_address
            AND NEW.reason_sha256 = OLD.reason_sha256 AND NEW.detail_sha256 = OLD.detail_sha256
            AND (NEW.reason = OLD.reason OR NEW.reason = '')
            AND (NEW.detail = OLD.detail OR NEW.detail = '{}'::jsonb)
        THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audittrail_entry_append_only ON audittrail_entry;
CREATE TRIGGER audittrail_entry_append_only BEFORE UPDATE OR DELETE ON audittrail_entry
    FOR EACH ROW EXECUTE FUNCTION sharewise_trail_entry_erasable();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audittrail_entry_append_only ON audittrail_entry;
CREATE TRIGGER audittrail_entry_append_only BEFORE UPDATE OR DELETE ON audittrail_entry
    FOR EACH ROW EXECUTE FUNCTION sharewise_trail_is_append_only();
DROP FUNCTION IF EXISTS sharewise_trail_entry_erasable();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audittrail", "0006_entry_digests")]
    operations = [migrations.RunPython(forward, backward)]
