"""Judging concerns: the pattern engine run over everything known about the people,
alleged sources and services that new concerns touch, in the transaction that wrote
them; what it finds raises, refreshes or reopens alerts (raising.py)."""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from sharewise.concerns import statistics
from sharewise.concerns.models import Amendment, Concern, ConcernPerson
from sharewise.organisations.models import Team
from sharewise.patterns import engine, harms, raising, scores
from sharewise.patterns import facts as factstore
from sharewise.patterns.models import HarmIndex
from sharewise.patterns.notifying import Notifier, Quiet
from sharewise.policy import store


class Context:
    """What one evaluation needs from policy and organisation, read once."""

    def __init__(self, organisation_id: int, at: datetime, recording_version=None):
        self.organisation_id = organisation_id
        self.at = at
        self.version, self.policy = store.in_force(organisation_id, "patterns")
        # A concern just recorded carries the recording policy it was checked against.
        if recording_version is not None:
            recording = store.validated(recording_version)
        else:
            _, recording = store.in_force(organisation_id, "recording")
        self.weights = {c.code: c.weight for c in recording.categories}
        self.categories = recording.category_labels()
        self.shifts = recording.shift_labels()

    @functools.cached_property
    def teams(self) -> dict[int, tuple[str, str]]:
        """Team id -> (team, service) names, for explanations."""
        return team_names(self.organisation_id)


def team_names(organisation_id: int) -> dict[int, tuple[str, str]]:
    """Read fresh each time (one small query): a copy kept per process would disagree
    with other web nodes and workers after a team is renamed."""
    return {
        pk: (name, service)
        for pk, name, service in Team.objects.filter(
            service__organisation_id=organisation_id
        ).values_list("pk", "name", "service__name")
    }


def lock(keys) -> None:
    """Serialise work on the same people, sources and services across transactions,
    so two concerns arriving together are judged with each other. (SQLite already
    runs one writer at a time.) Plain SQL: the ORM has no advisory locks."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted({_lock_id(k) for k in keys}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _lock_id(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


BULK = 200  # concerns judged together (an import) that may outgrow the planner's picture


def evaluate_concerns(
    organisation_id: int,
    concern_ids,
    *,
    at: datetime | None = None,
    fresh: bool = False,
    recording_version=None,
    concern=None,
    person_ids=None,
) -> list:
    """Judge these concerns together with everything known about the people, alleged
    sources and services they touch (fresh: just recorded, so never amended;
    concern and person_ids: the concern just recorded, in hand).
    Returns the alerts raised, updated or reopened."""
    at = at or timezone.now()
    concern_ids = list(concern_ids)
    if concern is not None and person_ids:
        new = {concern.pk: factstore.of_concern(concern, person_ids)}
    elif len(concern_ids) == 1:
        new = factstore.load(Concern.objects.filter(pk=concern_ids[0]), fresh=fresh)
    else:
        new = factstore.by_ids(concern_ids)
    if not new:
        return []
    ctx = Context(organisation_id, at, recording_version)
    if fresh:
        harms.add(new.values())
    else:
        harms.replace(new)
    if len(new) >= BULK:
        refresh_statistics()
    people = sorted({pid for f in new.values() for pid in f.person_ids})
    sources = sorted({f.source for f in new.values() if f.source})
    by_service: dict[int, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    for f in new.values():
        for code in f.categories:
            by_service[f.service_id][code].append(f.occurred_at)
    lock(
        [f"person:{p}" for p in people]
        + [f"source:{s}" for s in sources]
        + [f"service:{s}:{c}" for s, codes in by_service.items() for c in codes]
    )
    span = timedelta(days=ctx.policy.same_harm_at_service.days)
    windows = {
        service_id: {code: (min(ms) - span, max(ms) + span) for code, ms in codes.items()}
        for service_id, codes in by_service.items()
    }
    return judge(ctx, people=people, sources=sources, windows=windows)


def refresh_statistics() -> None:
    """After judging many concerns at once, the tables the rules read have grown."""
    statistics.refresh(Concern, ConcernPerson, Amendment, HarmIndex)


def judge(ctx: Context, *, people=(), sources=(), windows=None, notifier=None) -> list:
    """Run the rules over the whole history of these people, these alleged sources
    and these services' categories between two moments ({service: {category: (from,
    to)}}), and apply what they find."""
    triggers, known = [], {}
    if people:
        family = factstore.about_people(people)
        known |= family
        only = engine.PERSON_RULES - {"risk_score"}
        triggers += _about(ctx, family, only, {f"person:{p}" for p in people})
        triggers += scores.save_scores(ctx, people, family)
    if sources:
        family = factstore.from_sources(sources)
        known |= family
        triggers += _about(ctx, family, engine.SOURCE_RULES, {f"source:{s}" for s in sources})
    if ctx.policy.same_harm_at_service.enabled:
        for service_id, codes in (windows or {}).items():
            for code, (start, end) in codes.items():
                family = harms.at_service(service_id, [code], start, end)
                _add_slim(known, family)
                subject = {f"service:{service_id}:{code}"}
                triggers += _about(ctx, family, engine.SERVICE_RULES, subject)
    return raising.apply(ctx, triggers, known, notifier or Notifier(ctx))


def _about(ctx: Context, family: dict, only, wanted: set[str]) -> list[engine.Trigger]:
    """What these rules find in a family of facts about the subjects wanted (the
    family also holds concerns about others, which are judged when they are)."""
    return [
        t
        for t in engine.evaluate(family.values(), ctx.policy, now=ctx.at, only=only)
        if t.subject in wanted
    ]


def _add_slim(known: dict, slim: dict) -> None:
    """Add the harm index's slim facts (only what the same-harm rule reads, one
    category at a time) without standing in for whole facts already loaded, which
    other alerts' explanations read."""
    for pk, fact in slim.items():
        had = known.get(pk)
        if had is None:
            known[pk] = fact
        elif any(c not in had.categories for c in fact.categories):
            known[pk] = had._replace(categories=tuple(sorted({*had.categories, *fact.categories})))


def judge_history(
    organisation_id: int, *, at: datetime | None = None, chunk: int = 2_000, reindex=True
):
    """Judge every concern already recorded (after a bulk load that bypassed the
    rules): people in chunks, then alleged sources, then each service's categories.
    reindex: rebuild the harm index first (skip when the loader filled it). Returns
    the number of alerts raised or changed. Nobody is told: the dashboard shows what
    it raised."""
    at = at or timezone.now()
    if reindex:
        harms.rebuild(organisation_id)
    concerns = Concern.objects.filter(organisation_id=organisation_id)
    touched = _judge_people(organisation_id, at, chunk)
    sources = sorted(
        {f"staff:{pk}" for pk in _distinct(concerns.exclude(source_staff=None), "source_staff_id")}
        | {
            f"person:{pk}"
            for pk in _distinct(concerns.exclude(source_person=None), "source_person_id")
        }
    )
    for start in range(0, len(sources), chunk):
        with transaction.atomic():
            ctx = Context(organisation_id, at)
            touched += len(judge(ctx, sources=sources[start : start + chunk], notifier=Quiet()))
    always = (datetime(1900, 1, 1, tzinfo=UTC), at + timedelta(days=3650))
    for service_id in _distinct(concerns, "service_id").order_by("service_id"):
        codes = set(_distinct(HarmIndex.objects.filter(service_id=service_id), "category"))
        with transaction.atomic():
            ctx = Context(organisation_id, at)
            windows = {service_id: dict.fromkeys(codes, always)}
            touched += len(judge(ctx, windows=windows, notifier=Quiet()))
    return touched


def _distinct(rows, column):
    return rows.values_list(column, flat=True).distinct()


def _judge_people(organisation_id: int, at: datetime, chunk: int) -> int:
    """Everyone with a concern, a chunk of people per transaction."""
    people = (
        ConcernPerson.objects.filter(concern__organisation_id=organisation_id)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()
    )
    touched, last = 0, 0
    while chunk_people := list(people.filter(person_id__gt=last)[:chunk]):
        with transaction.atomic():
            ctx = Context(organisation_id, at)
            lock([f"person:{p}" for p in chunk_people])
            touched += len(judge(ctx, people=chunk_people, notifier=Quiet()))
        last = chunk_people[-1]
    return touched
