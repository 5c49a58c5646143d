from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string

from sharewise.background import working


class Command(BaseCommand):
    help = (
        "Run queued background work (imports, audits, evidence packs, emails, the sweep, "
        "sealing the trail). Run one or more on each node; they share the queue."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to wait when nothing is queued"
        )
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then stop")
        parser.add_argument("--worker-id", default="")

    def handle(self, *args, interval, max_tasks, batch, worker_id, **options):
        if interval < 0 or (max_tasks is not None and max_tasks < 1):
            raise CommandError("--interval must be 0 or more and --max-tasks 1 or more.")
        worker_id = (worker_id or get_random_string(32))[:64]
        loop = working.Loop(worker_id, interval=interval, max_tasks=max_tasks, batch=batch)
        loop.catch_signals()
        self.stdout.write(f"Worker {worker_id} started.")
        ran = loop.run()
        self.stdout.write(f"Worker {worker_id} stopped after {ran} task(s).")
