"""Long governance work started from a page or the API (audit runs, evidence packs):
checked periods, and a thread started once the request's transaction commits, which
reports progress on its own row.

django-tasks is the agreed home for long jobs; until it is installed with a worker, a
thread in the web process does the work, as imports do (see docs/importing.md)."""

import threading
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from sharewise.organisations import background

threads: list[threading.Thread] = []  # kept so tests can wait for them

STOPPED = (
    "This stopped before it finished, most likely because Sharewise was restarted. "
    "Nothing from it was kept: start it again."
)


def give_up_stopped(organisation_id: int, now=None) -> int:
    """Mark the organisation's audits and evidence packs that can no longer finish as
    failed, saying why, so nobody waits on a progress bar that will never move. Their
    results are saved in one transaction at the end, so nothing is half-written."""
    from sharewise.governance.models import AuditRun, EvidencePack, Job

    now = now or timezone.now()
    given_up = 0
    for model in (AuditRun, EvidencePack):
        found = background.lost(
            model.objects.filter(organisation_id=organisation_id), (Job.QUEUED, Job.RUNNING), now
        )
        if found.exists():  # read first: pages call this, and most find nothing to write
            given_up += found.update(status=Job.FAILED, error=STOPPED, finished_at=now, step="")
    return given_up


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


def after_commit(work, pk: int, name: str) -> None:
    """Run work(pk) in a background thread once the current transaction commits."""
    transaction.on_commit(lambda: _launch(work, pk, name))


def _launch(work, pk: int, name: str) -> None:
    thread = threading.Thread(target=_closing, args=(work, pk), name=f"{name}-{pk}", daemon=True)
    threads.append(thread)
    thread.start()


def _closing(work, pk: int) -> None:
    try:
        work(pk)
    finally:
        connection.close()
