import time

from django.core.management.base import BaseCommand, CommandError

from sharewise.audittrail import trail


class Command(BaseCommand):
    help = "Check the audit trail's hash chain and name the first broken entry."

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = trail.verify()
        seconds = time.perf_counter() - started
        if result.broken:
            raise CommandError(
                f"Audit trail broken at {result.broken} "
                f"({result.checked} entries before it are intact)."
            )
        rate = result.checked / seconds if seconds else 0
        self.stdout.write(
            f"Audit trail intact: {result.checked} entries checked in {seconds:.2f}s "
            f"({rate:,.0f} a second)."
        )
        if result.unsealed:
            self.stdout.write(
                f"{result.unsealed} recent entries are not sealed yet; "
                "run `manage.py seal_trail` to seal them."
            )
