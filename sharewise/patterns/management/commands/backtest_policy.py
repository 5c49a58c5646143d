import re
from datetime import date

import yaml
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sharewise.organisations.models import Organisation
from sharewise.patterns import backtest
from sharewise.patterns.models import RULE_TITLES
from sharewise.people.models import Person
from sharewise.policy import store

WIDTH = 42


class Command(BaseCommand):
    help = (
        "Replay the concerns between two dates under the pattern policy in force, or a "
        "proposed one, and report the alerts it would have raised, for whom, and how many "
        "days before the escalations that actually happened."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="start", required=True, metavar="YYYY-MM-DD", help="first day"
        )
        parser.add_argument(
            "--to", dest="end", required=True, metavar="YYYY-MM-DD", help="last day (included)"
        )
        parser.add_argument(
            "--policy",
            metavar="FILE.yaml",
            help="a proposed pattern policy in the form of patterns.yaml; settings it leaves "
            "out stay as they are in force",
        )
        parser.add_argument(
            "--organisation",
            type=int,
            metavar="ID",
            help="needed only when there is more than one organisation",
        )

    def handle(self, *args, **options):
        start = _day("--from", options["start"])
        end = _day("--to", options["end"])
        if start > end:
            raise CommandError(f"--from {start} is after --to {end}.")
        organisation = _organisation(options["organisation"])
        if options["policy"]:
            _, in_force = store.in_force(organisation.pk, "patterns")
            proposed = _read_policy(options["policy"], in_force)
            current, report = backtest.compare(organisation.pk, start, end, proposed)
            columns = [("In force", current), ("Proposed", report)]
        else:
            report = backtest.run(organisation.pk, start, end)
            columns = [("In force", report)]
        self.stdout.write(
            f"Alerts for {organisation.name}, {start:%-d %b %Y} to {end:%-d %b %Y} "
            f"(concerns replayed from {report.replayed_from:%-d %b %Y}, so windows open "
            "at the start count)\n"
        )
        self._totals(columns)
        self._rows(report, "the proposed policy" if options["policy"] else "the policy in force")

    def _totals(self, columns):
        def line(label, values):
            self.stdout.write(f"{label:<{WIDTH}}" + "".join(f"{v:>10}" for v in values))

        line("", [name for name, _ in columns])
        for rule in backtest.REPLAYED_RULES:
            counts = [r.totals[rule] for _, r in columns]
            if any(counts):
                line(RULE_TITLES.get(rule, rule), counts)
        line("All alerts", [r.alerts for _, r in columns])
        line("People", [r.people for _, r in columns])
        line("Median days earlier than escalation", [_median(r) for _, r in columns])
        line(
            "Escalations with no alert before them",
            [r.escalations_without_alert for _, r in columns],
        )

    def _rows(self, report, under):
        if not report.rows:
            self.stdout.write(f"\nNo alerts under {under}.")
            return
        self.stdout.write(f"\nAlerts under {under}:")
        names = {
            p.pk: p.name
            for p in Person.objects.filter(
                pk__in={r.person_id for r in report.rows if r.person_id is not None}
            )
        }
        for row in report.rows:
            who = names.get(row.person_id, row.subject) if row.person_id else row.subject
            when = timezone.localtime(row.fires_at)
            self.stdout.write(f"  {when:%d %b %Y}  {row.title:<38} {who:<30} {_earlier(row)}")


def _day(option, value) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise CommandError(f"{option} {value} is not a date: use YYYY-MM-DD.")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{option} {value} is not a date: {error}.") from None


def _organisation(pk):
    if pk is not None:
        found = Organisation.objects.filter(pk=pk).first()
        if found is None:
            raise CommandError(f"No organisation with id {pk}.")
        return found
    organisations = list(Organisation.objects.order_by("pk"))
    if not organisations:
        raise CommandError("There is no organisation yet.")
    if len(organisations) > 1:
        listed = "; ".join(f"{o.pk} {o.name}" for o in organisations)
        raise CommandError(
            f"There are several organisations: choose one with --organisation ID ({listed})."
        )
    return organisations[0]


def _read_policy(path, in_force):
    try:
        with open(path, encoding="utf-8") as f:
            document = yaml.safe_load(f)
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise CommandError(f"{path} is not valid YAML: {error}") from None
    try:
        return backtest.proposed_policy(document, in_force)
    except backtest.PolicyProblem as problem:
        raise CommandError(
            f"{path} is not a valid pattern policy:\n"
            + "\n".join(f"  {p}" for p in problem.problems)
        ) from None


def _median(report):
    value = report.median_days_earlier
    if value is None:
        return "-"
    return f"{value:g}"


def _earlier(row):
    if row.days_earlier is not None:
        return f"{row.days_earlier} day{'' if row.days_earlier == 1 else 's'} earlier"
    if row.escalated_at is not None:
        return "escalated before it would have fired"
    return "not escalated"
