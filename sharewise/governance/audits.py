"""Safeguarding audits: a period checked against the criteria in force, each failing
record a finding with an owner; runs compared over time; and random samples of case
files for an auditor to check by hand against the policy's checklist.

An audit started from the web is a queued task (governance/tasks.py) reporting its
progress on the AuditRun row."""

from __future__ import annotations

import logging
import random
import secrets
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.background import queue
from sharewise.concerns.models import Concern, ConcernPerson
from sharewise.governance import criteria, jobs, tasks
from sharewise.governance.models import AuditRun, Finding, Job, Sample, SampleItem
from sharewise.organisations.models import Membership, Role, Team
from sharewise.policy import store
from sharewise.sharing.models import SharingDecision

logger = logging.getLogger(__name__)


MAX_YEARS = 3
ANSWERS = ("yes", "partly", "no")
FAILED_UNEXPECTEDLY = (
    "Something went wrong while running the audit, so no findings were saved. Try again; "
    "if it happens again, tell your administrator the time you tried."
)


# Periods -----------------------------------------------------------------------------


def period_problems(period_from, period_to, today: date | None = None) -> dict[str, str]:
    """What is wrong with a period to audit, by field."""
    return jobs.period_problems(period_from, period_to, MAX_YEARS, today)


def bounds(period_from: date, period_to: date) -> tuple[datetime, datetime]:
    """[start, end) in local time: from midnight on the first day to midnight after the
    last."""
    start = timezone.make_aware(datetime.combine(period_from, time.min))
    end = timezone.make_aware(datetime.combine(period_to + timedelta(days=1), time.min))
    return start, end


# Running an audit ---------------------------------------------------------------------


def _create(org_id, period_from, period_to, user, request=None) -> AuditRun:
    if found := period_problems(period_from, period_to):
        raise ValidationError(found)
    version, _ = store.in_force(org_id, "governance")
    run_ = AuditRun.objects.create(
        organisation_id=org_id,
        period_from=period_from,
        period_to=period_to,
        started_by=user,
        policy_version=version,
    )
    entry = {
        "object_type": "audit",
        "object_id": run_.pk,
        "organisation_id": org_id,
        "detail": {
            "from": period_from.isoformat(),
            "to": period_to.isoformat(),
            "policy_version": version.version,
        },
    }
    if request is not None:
        trail.record_request(request, "audit.run", **entry)
    else:
        trail.record(actor=user, action="audit.run", **entry)
    return run_


def start(request, org_id: int, period_from: date, period_to: date) -> AuditRun:
    """Queue an audit of a period; it runs in the background once this commits. Raises
    ValidationError({field: message}) for a period that cannot be audited."""
    with transaction.atomic():
        run_ = _create(org_id, period_from, period_to, request.user, request)
        tasks.run_audit.enqueue(run_.pk)  # queued in this transaction: both or neither
    return run_


def run_now(org_id: int, period_from: date, period_to: date, user=None) -> AuditRun:
    """Audit a period here and now (the management command), and return the finished run."""
    with transaction.atomic():
        run_ = _create(org_id, period_from, period_to, user)
    run(run_.pk)
    run_.refresh_from_db()
    return run_


def run(run_id: int) -> None:
    """Run a queued audit. A failure is recorded on the run, never raised."""
    try:
        if connection.in_atomic_block:
            # A savepoint: a failure must leave the caller's transaction usable.
            with transaction.atomic():
                _run(run_id)
        else:
            _run(run_id)
    except queue.DATABASE_GONE:
        raise  # the worker runs it again once the database is back
    except Exception:
        logger.exception("Audit %s failed", run_id)
        AuditRun.objects.filter(pk=run_id).update(
            status=Job.FAILED, error=FAILED_UNEXPECTEDLY, finished_at=timezone.now()
        )


def _run(run_id: int) -> None:
    run_ = AuditRun.objects.select_related("policy_version").get(pk=run_id)
    if run_.status in (Job.DONE, Job.FAILED):
        return  # finished already: a task run again after its worker died
    runs = AuditRun.objects.filter(pk=run_id)
    runs.update(status=Job.RUNNING, started_at=timezone.now(), progress=0, error="")
    policy = store.validated(run_.policy_version)
    enabled = [c for c in policy.criteria if c.enabled]
    start_at, end_at = bounds(run_.period_from, run_.period_to)
    now = timezone.now()
    owners = Owners(run_.organisation_id, run_.started_by_id)
    found: list[tuple] = []
    counts = {}
    for i, criterion in enumerate(enabled):
        runs.update(step=criterion.title, progress=int(100 * i / len(enabled)))
        queue.beat()
        failures = criteria.QUERIES[criterion.code](
            run_.organisation_id, start_at, end_at, criterion, now
        )
        counts[criterion.code] = len(failures)
        found += ((criterion, f) for f in failures)
    runs.update(step="Saving the findings", progress=99)
    seen = _seen_before(run_, {criterion.code for criterion, _ in found})
    rows = [
        (
            run_.organisation_id,
            run_.pk,
            criterion.code,
            criterion.title,
            criterion.severity,
            f.summary,
            f.record_type,
            f.record_id,
            f.person_id,
            f.team_id,
            owners.of(criterion.owner, f.team_id),
            Finding.Status.OPEN,
            (criterion.code, f.record_type, f.record_id) in seen,
            "",
        )
        for criterion, f in found
    ]
    with transaction.atomic():
        _insert_findings(rows)
        runs.update(
            status=Job.DONE,
            counts=counts,
            progress=100,
            step="",
            finished_at=timezone.now(),
        )


_FINDING_COLUMNS = (
    "organisation",
    "run",
    "criterion",
    "title",
    "severity",
    "summary",
    "record_type",
    "record_id",
    "person",
    "team",
    "owner",
    "status",
    "repeated",
    "closed_note",
)


def _insert_findings(rows: list[tuple]) -> None:
    """Plain batched inserts: a careless year can fail thousands of records, and building
    a model object for each costs more than the insert."""
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(Finding._meta.db_table)
    columns = ", ".join(ops.quote_name(Finding._meta.get_field(c).column) for c in _FINDING_COLUMNS)
    marks = ", ".join(["%s"] * len(_FINDING_COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[i : i + 5000])


def _seen_before(run_: AuditRun, codes) -> set[tuple[str, str, int]]:
    """(criterion, record type, record id) found by earlier runs of the organisation."""
    return set(
        Finding.objects.filter(
            organisation_id=run_.organisation_id, criterion__in=codes, run_id__lt=run_.pk
        )
        .order_by()
        .values_list("criterion", "record_type", "record_id")
        .distinct()
    )


class Owners:
    """Who owns a finding: the criterion's role resolved to a member of staff."""

    def __init__(self, org_id: int, starter_id: int | None):
        self.starter_id = starter_id
        self.members = list(
            Membership.objects.filter(organisation_id=org_id, user__is_active=True)
            .order_by("user_id", "id")
            .values_list("user_id", "role", "team_id", "service_id")
        )
        self.service_of = dict(
            Team.objects.filter(service__organisation_id=org_id).values_list("id", "service_id")
        )
        self.firsts = {
            role: next((m[0] for m in self.members if m[1] == role), None) for role in Role.values
        }
        self._managers: dict[int, int | None] = {}

    def _manager(self, team_id) -> int | None:
        if team_id is None:
            return None
        if team_id not in self._managers:
            self._managers[team_id] = self._find_manager(team_id)
        return self._managers[team_id]

    def _find_manager(self, team_id) -> int | None:
        managers = [m for m in self.members if m[1] == Role.TEAM_MANAGER]
        service_id = self.service_of.get(team_id)
        for covers in (
            lambda m: m[2] == team_id,
            lambda m: service_id is not None and m[3] == service_id,
            lambda m: m[2] is None and m[3] is None,
        ):
            if found := next((m[0] for m in managers if covers(m)), None):
                return found
        return None

    def of(self, owner_role: str, team_id: int | None = None) -> int | None:
        lead = self.firsts[Role.SAFEGUARDING_LEAD]
        if owner_role == "team_manager":
            return self._manager(team_id) or lead or self.starter_id
        if owner_role == "dpo":
            return self.firsts[Role.DATA_PROTECTION_OFFICER] or lead or self.starter_id
        if owner_role == "auditor":
            return self.firsts[Role.AUDITOR] or self.starter_id
        return lead or self.starter_id


def trend(org_id: int, limit: int = 12) -> list[dict]:
    """The last finished runs, oldest first, with their counts, to compare runs."""
    runs = list(
        AuditRun.objects.filter(organisation_id=org_id, status=Job.DONE).order_by(
            "-finished_at", "-id"
        )[:limit]
    )
    return [{"run": r, "counts": r.counts, "total": r.total} for r in reversed(runs)]


# Case-file samples --------------------------------------------------------------------


def _population(org_id: int, kind: str, period_from: date, period_to: date):
    start_at, end_at = bounds(period_from, period_to)
    if kind == Sample.Kind.CONCERNS:
        # Imported history was handled outside Sharewise: nothing here to check.
        return Concern.objects.filter(
            organisation_id=org_id,
            imported=False,
            recorded_at__gte=start_at,
            recorded_at__lt=end_at,
        )
    return SharingDecision.objects.filter(
        organisation_id=org_id,
        status=SharingDecision.Status.SIGNED,
        decided_at__gte=start_at,
        decided_at__lt=end_at,
    )


def _pick(records, positions: list[int]) -> list[int]:
    """The ids at these positions (sorted) in id order, reading forward from each id
    found, so the whole draw reads the records at most once."""
    ids, last, at = [], 0, -1
    ordered = records.order_by("pk").values_list("pk", flat=True)
    for position in positions:
        skip = position - at - 1
        found = list(ordered.filter(pk__gt=last)[skip : skip + 1])
        if not found:
            break  # fewer records than counted: some went while drawing
        ids.append(found[0])
        last, at = found[0], position
    return ids


def draw_sample(
    request,
    org_id: int,
    kind: str,
    period_from: date,
    period_to: date,
    size: int,
    seed: int | None = None,
) -> Sample:
    """A uniformly random sample, without replacement, of the concerns recorded or the
    signed sharing decisions made in a period. The same seed over the same records
    draws the same sample. Raises ValidationError({field: message})."""
    version, policy = store.in_force(org_id, "governance")
    errors = {}
    if kind not in Sample.Kind.values:
        errors["kind"] = "Choose concerns or sharing decisions"
    errors |= period_problems(period_from, period_to)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= policy.max_sample:
        errors["size"] = f"Choose between 1 and {policy.max_sample} records"
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63
    ):
        errors["seed"] = "The seed is a whole number, 0 or more"
    if errors:
        raise ValidationError(errors)
    records = _population(org_id, kind, period_from, period_to)
    total = records.count()
    if not total:
        what = "concerns were recorded" if kind == Sample.Kind.CONCERNS else "decisions were signed"
        raise ValidationError({"period_from": f"No {what} in this period: choose another"})
    if seed is None:
        seed = secrets.randbits(48)
    positions = sorted(random.Random(seed).sample(range(total), min(size, total)))
    ids = _pick(records, positions)
    if kind == Sample.Kind.CONCERNS:
        people = {}
        for concern_id, person_id in (
            ConcernPerson.objects.filter(concern_id__in=ids)
            .order_by("-id")
            .values_list("concern_id", "person_id")
        ):
            people[concern_id] = person_id  # the first person, read last
    else:
        people = dict(SharingDecision.objects.filter(pk__in=ids).values_list("id", "person_id"))
    with transaction.atomic():
        sample = Sample.objects.create(
            organisation_id=org_id,
            kind=kind,
            period_from=period_from,
            period_to=period_to,
            size=len(ids),
            seed=seed,
            drawn_by=request.user,
            policy_version=version,
        )
        SampleItem.objects.bulk_create(
            SampleItem(sample=sample, record_id=pk, person_id=people.get(pk)) for pk in ids
        )
        trail.record_request(
            request,
            "audit.sample",
            object_type="sample",
            object_id=sample.pk,
            organisation_id=org_id,
            detail={"kind": kind, "size": len(ids), "seed": seed, "of": total},
        )
    return sample


def record_check(request, item: SampleItem, answers: dict, notes: str) -> SampleItem:
    """An auditor's answers to the checklist the sample was drawn under, for one of its
    records. Every question needs yes, partly or no; anything short of yes needs notes
    saying what was missing. Answers to other questions are not kept."""
    sample = item.sample
    questions = store.validated(sample.policy_version).checklist.get(sample.kind, [])
    answers = answers or {}
    notes = (notes or "").strip()
    errors = {}
    short = []
    for question in questions:
        answer = answers.get(question.code)
        if answer not in ANSWERS:
            errors[question.code] = f"Answer yes, partly or no: {question.text}"
        elif answer != "yes":
            short.append(question.text)
    if short and not notes:
        errors["notes"] = "Say what was missing for: " + " ".join(short)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item.answers = {q.code: answers[q.code] for q in questions}
        item.notes = notes
        item.checked_by = request.user
        item.checked_at = timezone.now()
        item.save(update_fields=["answers", "notes", "checked_by", "checked_at"])
        trail.record_request(
            request,
            "audit.check",
            object_type="sample_item",
            object_id=item.pk,
            person_id=item.person_id,
            organisation_id=sample.organisation_id,
            detail={"sample": sample.pk, "answers": item.answers},
        )
    return item
