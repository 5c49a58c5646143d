from django.core.management.base import BaseCommand

from sharewise.audittrail import trail


class Command(BaseCommand):
    help = "Seal every unsealed audit-trail entry into the hash chain (safe from cron)."

    def handle(self, *args, **options):
        sealed = trail.seal_pending(everything=True)
        self.stdout.write(f"Sealed {sealed} entries.")
