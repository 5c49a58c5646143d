from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sharewise.audittrail import restores
from sharewise.audittrail.backups import BackupError


class Command(BaseCommand):
    # No system checks: they import every URL configuration and the API first (a second
    # or more), and a backup or a restore check must run even if a page cannot load.
    requires_system_checks = []

    help = (
        "Compare this database with a backup's manifest: row counts, the audit trail's "
        "head and key, and the backup file's SHA-256 when it is beside the manifest. Run "
        "it right after a restore, before anyone uses the site "
        "(docs/backup-and-restore.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("manifest", type=Path, help="the backup's .json manifest")

    def handle(self, *args, manifest: Path, **options):
        try:
            found = restores.compare(manifest)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for note in found.notes:
            self.stdout.write(note)
        taken = found.manifest["taken_at"]
        if not found.ok:
            raise CommandError(
                f"This database does not match the backup of {taken}:\n"
                + "\n".join(f"- {difference}" for difference in found.differences)
            )
        counts = found.manifest["counts"]
        self.stdout.write(
            f"This database matches the backup of {taken}: "
            + ", ".join(f"{label} {n:,}" for label, n in counts.items())
            + f"; the audit trail holds the backup's head at entry "
            f"{found.manifest['trail']['sealed']:,}."
        )
