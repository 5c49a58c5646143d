from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sharewise.audittrail import backups


class Command(BaseCommand):
    # No system checks: they import every URL configuration and the API first (a second
    # or more), and a backup or a restore check must run even if a page cannot load.
    requires_system_checks = []

    help = (
        "Seal the audit trail, write a checkpoint of its head, then back up the whole "
        "database (pg_dump's custom format on PostgreSQL, SQLite's online backup on "
        "SQLite) to a file named with the UTC time, with a JSON manifest and the "
        "checkpoint beside it. Restoring: docs/backup-and-restore.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            type=Path,
            default=None,
            help="directory to write to (default: var/backups/, made readable by this user only)",
        )

    def handle(self, *args, to=None, **options):
        try:
            written = backups.take(to or backups.default_directory())
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        about = written.described
        counts = ", ".join(f"{label} {n:,}" for label, n in about["counts"].items())
        self.stdout.write(f"Backup: {written.dump} ({about['bytes']:,} bytes)")
        self.stdout.write(f"Manifest: {written.manifest}")
        self.stdout.write(f"Rows: {counts}.")
        trail = about["trail"]
        self.stdout.write(
            f"The trail ends on the seal of entry {trail['sealed']:,} "
            f"(head {trail['head'][:16]}…)"
            + (
                f"; {trail['unsealed']:,} entries written since are not sealed."
                if trail["unsealed"]
                else "."
            )
        )
        if written.checkpoint_problem:
            raise CommandError(
                "The backup was written, but the audit trail no longer holds its latest "
                f"checkpoint, so none was written: {written.checkpoint_problem}. "
                "Keep this backup and run `manage.py verify_trail`."
            )
        self.stdout.write(f"Checkpoint of that head: {written.checkpoint}")
