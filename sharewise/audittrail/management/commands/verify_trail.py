import os
import time

from django.core.management.base import BaseCommand, CommandError

from sharewise.audittrail import trail


class Command(BaseCommand):
    help = "Check the audit trail's hash chain and name the first broken entry."

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="processes checking ranges of the chain side by side (default: up to 2)",
        )

    def handle(self, *args, workers, **options):
        started = time.perf_counter()
        result = trail.verify(workers=max(1, workers))
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
