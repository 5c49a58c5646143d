"""Running an import: every row checked (people_rows, concern_rows); only when all
are good, and not a dry run, everything saved in one transaction. Concerns are saved by
recording.record(), so an imported concern is checked exactly like a typed one."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.concerns import recording, signals, statistics
from sharewise.concerns.importing import concern_rows, people_rows
from sharewise.concerns.importing.checking import Check, RowError
from sharewise.concerns.importing.columns import CONCERN_ONLY
from sharewise.concerns.importing.reading import Table, header_problems
from sharewise.concerns.models import AwaitingReview, Concern, ConcernPerson
from sharewise.people.models import Enrolment, Person

Progress = Callable[[str, int, int], None]
REFRESH_EVERY = 1_000
GROWING = (Person, Enrolment, Concern, ConcernPerson, AwaitingReview)


@dataclass
class Result:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    people_created: list = field(default_factory=list)
    people_matched: int = 0
    concerns_created: list = field(default_factory=list)
    concerns_skipped: int = 0  # already imported before
    dry_run: bool = False

    @property
    def ok(self):
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return (
                f"Nothing was imported: {_count(len(self.errors), 'problem')} to fix in the file."
            )
        people = _count(len(self.people_created), "new person", "new people")
        concerns = _count(len(self.concerns_created), "concern")
        before = f"{self.concerns_skipped} had been imported before and"
        if self.dry_run:
            return (
                f"{self.rows} rows checked. Would add {people} and match "
                f"{self.people_matched} already in Sharewise. Would import {concerns}; "
                f"{before} would be left as they are."
            )
        return (
            f"{self.rows} rows checked. Added {people} and matched {self.people_matched} "
            f"already in Sharewise. Imported {concerns}; {before} were left as they are."
        )


def _count(n, one, many=None):
    return f"{n} {one if n == 1 else many or one + 's'}"


def run(
    table: Table,
    *,
    organisation,
    user,
    dry_run: bool = False,
    progress: Progress | None = None,
    every: int = 500,
    file_name: str = "",
    job_id=None,
    on_saved=None,
) -> Result:
    """Check every row; when all are good (and not dry_run), save them all in one
    transaction. progress(phase, done, total) is called every `every` rows, phase being
    "checking" or "saving". on_saved(result) runs inside the saving transaction."""
    result = Result(rows=len(table.rows), dry_run=dry_run)
    problems = header_problems(table.header)
    if problems:
        result.errors = [RowError(1, "", p) for p in problems]
        return result
    version, policy = recording.policy_for(organisation.pk)
    check = _check_rows(table, Check(table, organisation, user, policy), progress, every)
    result.errors = sorted(check.errors, key=lambda e: e.row or 0)
    result.people_matched = len(check.matched)
    result.concerns_skipped = check.skipped
    if result.errors:
        return result
    _start_dates(check)
    if dry_run:
        result.people_created = [e["person"] for e in check.new_people.values()]
        result.concerns_created = [draft for _, draft, _ in check.drafts]
        return result
    if progress:
        progress("saving", 0, len(check.drafts))
    with transaction.atomic():
        result.people_created = _save_people(check, user)
        result.concerns_created = _save_concerns(check, (version, policy), progress, every)
        _write_trail(result, table, check, version, file_name, job_id)
        if on_saved:  # in the same transaction: saved and marked saved, or neither
            on_saved(result)
    return result


def _check_rows(table: Table, check: Check, progress, every) -> Check:
    total = len(table.rows)
    has_concerns = any(h in CONCERN_ONLY for h in table.header)
    for done, (number, values) in enumerate(table.rows, start=1):
        team = people_rows.team(check, number, values)
        person = people_rows.person(check, number, values, team)
        if has_concerns and any(values.get(name) for name in CONCERN_ONLY):
            concern_rows.concern(check, number, values, person, team)
        if progress and (done % every == 0 or done == total):
            progress("checking", done, total)
    return check


def _save_concerns(check: Check, in_force, progress, every) -> list:
    concerns = []
    total = len(check.drafts)
    for done, (_number, draft, recorder) in enumerate(check.drafts, start=1):
        # The importer is the trail's actor (which is true); where the file names
        # who recorded the concern at the time, the concern says so.
        concerns.append(
            recording.record(
                None,
                check.organisation.pk,
                draft,
                actor=check.user,
                recorded_by=recorder,
                in_force=in_force,
                imported=True,
                together=True,
            )
        )
        if progress and (done % every == 0 or done == total):
            progress("saving", done, total)
        if done % REFRESH_EVERY == 0:
            statistics.refresh(*GROWING)
    statistics.refresh(*GROWING)
    signals.concerns_recorded_together.send(
        Concern, concern_ids=[c.pk for c in concerns], organisation_id=check.organisation.pk
    )
    return concerns


def _write_trail(result: Result, table: Table, check: Check, version, file_name, job_id):
    trail.record(
        actor=check.user,
        action="imported people and concerns",
        object_type="import",
        object_id=job_id or "",
        organisation_id=check.organisation.pk,
        detail={
            "file": file_name,
            "sha256": table.digest,
            "rows": result.rows,
            "people_created": len(result.people_created),
            "people_matched": result.people_matched,
            "concerns_created": len(result.concerns_created),
            "concerns_skipped": result.concerns_skipped,
            "policy_version": version.pk,
        },
    )


def _start_dates(check):
    earliest: dict[str, date] = {}
    for _, draft, _ in check.drafts:
        ref = draft.people[0].external_ref
        day = timezone.localtime(draft.occurred_at).date()
        if ref in check.new_people and (ref not in earliest or day < earliest[ref]):
            earliest[ref] = day
    for ref, entry in check.new_people.items():
        if entry["start"] is None:
            entry["start"] = earliest.get(ref, timezone.localdate())


def _save_people(check, user):
    people = [e["person"] for e in check.new_people.values()]
    Person.objects.bulk_create(people, batch_size=500)
    Enrolment.objects.bulk_create(
        [
            Enrolment(person=e["person"], team=e["team"], start_date=e["start"])
            for e in check.new_people.values()
        ],
        batch_size=500,
    )
    for entry in check.new_people.values():
        person = entry["person"]
        trail.record(
            actor=user,
            action="imported person",
            object_type="person",
            object_id=person.pk,
            person_id=person.pk,
            organisation_id=person.organisation_id,
            detail={"team": entry["team"].pk, "start_date": entry["start"].isoformat()},
        )
    for pk, ref in check.links.items():
        Person.objects.filter(pk=pk, external_ref="").update(external_ref=ref)
        trail.record(
            actor=user,
            action="linked import reference",
            object_type="person",
            object_id=pk,
            person_id=pk,
            organisation_id=check.organisation.pk,
            detail={"external_ref": ref},
        )
    return people
