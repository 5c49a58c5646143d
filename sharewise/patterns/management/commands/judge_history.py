from django.core.management.base import BaseCommand, CommandError

from sharewise.audittrail import trail
from sharewise.organisations.models import Organisation
from sharewise.patterns import judging


class Command(BaseCommand):
    help = (
        "Run the pattern rules over every concern already recorded, for concerns loaded "
        "by other means than Sharewise (a database restore, a migration from another "
        "system). Alerts it raises appear on the dashboard; nobody is emailed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", type=int, help="Organisation id (default: all)")

    def handle(self, *args, organisation=None, **options):
        organisations = Organisation.objects.order_by("pk")
        if organisation is not None:
            organisations = organisations.filter(pk=organisation)
            if not organisations.exists():
                raise CommandError(f"There is no organisation {organisation}.")
        for org in organisations:
            changed = judging.judge_history(org.pk)
            self.stdout.write(f"{org.name}: {changed} alert(s) raised or brought up to date.")
        trail.seal_pending(everything=True)
