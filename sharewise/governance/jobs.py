"""Long governance work started from a page or the API (audit runs, evidence packs):
checked periods, and what their records say when the worker running them stops. The
work itself runs as queued tasks (governance/tasks.py) in `manage.py worker`."""

from datetime import date

from django.utils import timezone

STOPPED = (
    "This stopped before it finished: the background worker running it stopped three "
    "times. Nothing from it was kept: start it again, and if it happens again tell your "
    "administrator."
)
STARTED_AGAIN = "Started again: the background worker running it stopped"


def started_again(model, pk: int) -> None:
    """Before a task runs again after its worker died: back to waiting, saying why."""
    from sharewise.governance.models import Job

    model.objects.filter(pk=pk, status__in=(Job.QUEUED, Job.RUNNING)).update(
        status=Job.QUEUED, progress=0, step=STARTED_AGAIN
    )


def gave_up(model, pk: int) -> None:
    """When its workers kept dying: failed, saying so, so nobody waits on it."""
    from sharewise.governance.models import Job

    model.objects.filter(pk=pk, status__in=(Job.QUEUED, Job.RUNNING)).update(
        status=Job.FAILED, error=STOPPED, finished_at=timezone.now(), step=""
    )


def years_before(day: date, years: int) -> date:
    if day.year - years < date.min.year:
        return date.min  # before the calendar starts: no limit
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def period_problems(period_from, period_to, max_years: int, today=None) -> dict[str, str]:
    """What is wrong with a period, by field."""
    today = today or timezone.localdate()
    found = {}
    if not isinstance(period_from, date):
        found["period_from"] = "Give the first day of the period, for example 1 1 2026"
    if not isinstance(period_to, date):
        found["period_to"] = "Give the last day of the period, for example 31 3 2026"
    if found:
        return found
    if period_to > today:
        found["period_to"] = "The period cannot end in the future: choose today or earlier"
    elif period_from > period_to:
        found["period_from"] = "The period must start on or before the day it ends"
    elif period_from < years_before(period_to, max_years):
        found["period_from"] = (
            f"A period can be at most {max_years} years long: choose a later start"
        )
    return found
