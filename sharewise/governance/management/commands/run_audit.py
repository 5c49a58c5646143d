import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sharewise.governance import audits
from sharewise.governance.models import Job
from sharewise.organisations.models import Organisation
from sharewise.policy import store


class Command(BaseCommand):
    help = (
        "Audit a period against the safeguarding audit criteria in force, for one "
        "organisation or every one, and print the findings for each criterion."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="start", required=True, metavar="YYYY-MM-DD", help="first day"
        )
        parser.add_argument(
            "--to", dest="end", required=True, metavar="YYYY-MM-DD", help="last day (included)"
        )
        parser.add_argument(
            "--organisation", type=int, metavar="ID", help="only this organisation (default: all)"
        )

    def handle(self, *args, **options):
        start = _day("--from", options["start"])
        end = _day("--to", options["end"])
        if problems := audits.period_problems(start, end):
            raise CommandError(" ".join(problems.values()) + ".")
        organisations = Organisation.objects.order_by("pk")
        if options["organisation"] is not None:
            organisations = organisations.filter(pk=options["organisation"])
            if not organisations.exists():
                raise CommandError(f"No organisation with id {options['organisation']}.")
        failed = []
        for organisation in organisations:
            try:
                run = audits.run_now(organisation.pk, start, end)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stdout.write(
                f"{organisation.name}: audit {run.pk}, {start:%-d %b %Y} to {end:%-d %b %Y}"
            )
            if run.status != Job.DONE:
                self.stderr.write(f"  {run.error}")
                failed.append(organisation.name)
                continue
            # In the policy's order: the stored counts need not keep theirs.
            ran = [c for c in store.validated(run.policy_version).criteria if c.code in run.counts]
            width = max(len(c.title) for c in ran) + 2 if ran else 0
            for criterion in ran:
                count = run.counts[criterion.code]
                self.stdout.write(f"  {criterion.title:<{width}}{count:>6}")
            self.stdout.write(f"  {'Total':<{width}}{run.total:>6}\n")
        if failed:
            raise CommandError("The audit failed for: " + ", ".join(failed) + ".")


def _day(option, value) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or ""):
        raise CommandError(f"{option} {value} is not a date: use YYYY-MM-DD.")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{option} {value} is not a date: {error}.") from None
