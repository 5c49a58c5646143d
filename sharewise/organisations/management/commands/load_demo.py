from django.core.management.base import BaseCommand
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations import demo


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
        org = demo.build_demo(timezone.localdate())
        trail.seal_pending(everything=True)
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo organisation: {org}."))
