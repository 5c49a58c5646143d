import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.db.utils import InterfaceError, OperationalError

from sharewise.background import scheduling


class Command(BaseCommand):
    help = (
        "Put periodic work (the sweep, sealing the audit trail) on the queue on a timer, "
        "for `manage.py worker` to run. Safe to run on several nodes: each period is "
        "enqueued once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, default=15.0, help="Seconds between looks (default 15)"
        )
        parser.add_argument("--once", action="store_true", help="Look once, then stop")

    def handle(self, *args, every, once, **options):
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(SystemExit(0)))
        while True:
            try:
                close_old_connections()
                for name in scheduling.tick():
                    self.stdout.write(f"Queued: {name}")
            except (OperationalError, InterfaceError):
                self.stderr.write("The database cannot be reached; trying again shortly.")
            if once:
                return
            try:
                time.sleep(every)
            except KeyboardInterrupt:
                return
