from django.core.management.base import BaseCommand

from sharewise.audittrail import trail
from sharewise.patterns import sweep


class Command(BaseCommand):
    help = (
        "Apply the time-based pattern rules: overdue reviews, monitoring periods that have "
        "ended, and risk scores after a policy change. Safe to run from cron every few minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rescore-all",
            action="store_true",
            help="Work out every risk score again, not only those under an older policy",
        )

    def handle(self, *args, rescore_all=False, **options):
        swept = sweep.run(rescore_all=rescore_all)
        trail.seal_pending(everything=True)
        if swept.skipped:
            self.stdout.write("Another sweep is running; nothing done.")
            return
        self.stdout.write(
            f"{swept.overdue} overdue review alert(s), {swept.monitoring_ended} monitoring "
            f"period(s) ended, {swept.rescored} risk score(s) worked out again"
            + "".join(f", {count} {what}" for what, count in swept.more.items())
            + "."
        )
