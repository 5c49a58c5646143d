from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations import demo
from sharewise.organisations.extensions import hooks


def _extensions():
    """Each later app adds its demo stories through its own demo.extend_demo(org, today)."""
    return hooks("demo", "extend_demo", skip_label="organisations")


class Command(BaseCommand):
    help = "Create the demo organisation (synthetic people, fixed demo sign-ins)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the demo is already loaded"
        )

    def handle(self, *args, if_empty=False, **options):
        if demo.demo_exists():
            if if_empty:
                self.stdout.write("Demo organisation already loaded.")
                return
            self.stderr.write("The demo organisation is already loaded; nothing changed.")
            return
        today = timezone.localdate()
        with transaction.atomic():
            org = demo.build_demo(today)
            added = [extend(org, today) for extend in _extensions()]
        trail.seal_pending(everything=True)
        summary = "; ".join(a for a in added if a)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo organisation: {org}{'; ' + summary if summary else ''}."
            )
        )
