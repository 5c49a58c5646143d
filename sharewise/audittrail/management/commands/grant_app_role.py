from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from sharewise.audittrail.models import Entry, KeyedSealing, Seal

TRAIL_TABLES = tuple(model._meta.db_table for model in (Entry, Seal, KeyedSealing))


def statements(role: str, schema: str = "public") -> list[str]:
    """What the application's role needs: everything on every table but the trail's,
    where it may only add and read (docs/database-roles.md)."""
    qn = connection.ops.quote_name
    trail_tables = ", ".join(qn(table) for table in TRAIL_TABLES)
    return [
        f"GRANT USAGE ON SCHEMA {qn(schema)} TO {qn(role)}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {qn(schema)} TO {qn(role)}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {qn(schema)} TO {qn(role)}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {trail_tables} FROM {qn(role)}",
        # Erasing a destroyed person's text; the trail's trigger refuses any other update.
        f"GRANT UPDATE (reason, detail) ON {qn(Entry._meta.db_table)} TO {qn(role)}",
    ]


class Command(BaseCommand):
    help = (
        "Give a PostgreSQL role what the application needs to run, and on the audit trail "
        "only INSERT and SELECT. Run as the owner of the tables (the role that runs "
        "migrate), after every migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the application connects as")
        parser.add_argument("--schema", default="public")
        parser.add_argument(
            "--print",
            action="store_true",
            dest="show",
            help="print the statements instead of running them",
        )

    def handle(self, *args, role, schema, show=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are PostgreSQL's: SQLite has none to grant.")
        found = statements(role, schema)
        if show:
            self.stdout.write(";\n".join(found) + ";")
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"There is no role called {role}: create it first.")
            with transaction.atomic():
                for statement in found:
                    cursor.execute(statement)
        self.stdout.write(
            f"{role} may now use every table, and only insert into and read the audit "
            f"trail ({', '.join(TRAIL_TABLES)})."
        )
