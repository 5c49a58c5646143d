"""Turning findings into alerts someone must decide, in the transaction that wrote
the concerns; and the alert's lifecycle: acknowledge, decide, reopen."""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.concerns import statistics, visibility
from sharewise.concerns.models import Amendment, Concern, ConcernPerson
from sharewise.organisations.access import scopes_for
from sharewise.organisations.models import Membership, Role, Team
from sharewise.patterns import facts as factstore
from sharewise.patterns import harms, rules, signals
from sharewise.patterns.models import (
    Alert,
    AlertConcern,
    AlertDecision,
    AlertEvent,
    CaseForDecision,
    HarmIndex,
    Notification,
    Outcome,
    RiskScore,
)
from sharewise.policy import store

log = logging.getLogger(__name__)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


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


# Team and service names for explanations, kept for a minute per process (and dropped
# at once in this one when a team or service is saved): explaining is on the path of
# every concern recorded, and names change rarely.
_TEAM_NAMES: dict[int, tuple[float, dict]] = {}
TEAM_NAMES_SECONDS = 60


def team_names(organisation_id: int) -> dict[int, tuple[str, str]]:
    cached = _TEAM_NAMES.get(organisation_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    names = {
        pk: (name, service)
        for pk, name, service in Team.objects.filter(
            service__organisation_id=organisation_id
        ).values_list("pk", "name", "service__name")
    }
    _TEAM_NAMES[organisation_id] = (time.monotonic() + TEAM_NAMES_SECONDS, names)
    return names


def forget_team_names(**kwargs) -> None:
    _TEAM_NAMES.clear()


def lock(keys) -> None:
    """Serialise work on the same people, sources and services across transactions,
    so two concerns arriving together are judged with each other. (SQLite already
    runs one writer at a time.)"""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted({_lock_id(k) for k in keys}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _lock_id(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


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


BULK = 200  # concerns judged together (an import) that may outgrow the planner's picture


def refresh_statistics() -> None:
    """After judging many concerns at once, the tables the rules read have grown."""
    statistics.refresh(Concern, ConcernPerson, Amendment, HarmIndex)


def judge(ctx: Context, *, people=(), sources=(), windows=None, notifier=None) -> list:
    """Run the rules over the whole history of these people, these alleged sources
    and these services' categories between two moments ({service: {category: (from,
    to)}}), and apply what they find."""
    findings, known = [], {}
    if people:
        family = factstore.about_people(people)
        known |= family
        wanted = {f"person:{p}" for p in people}
        findings += [
            f
            for f in rules.evaluate(
                family.values(), ctx.policy, now=ctx.at, only=rules.PERSON_RULES - {"risk_score"}
            )
            if f.subject in wanted
        ]
        findings += save_scores(ctx, people, family)
    if sources:
        family = factstore.from_sources(sources)
        known |= family
        wanted = {f"source:{s}" for s in sources}
        findings += [
            f
            for f in rules.evaluate(
                family.values(), ctx.policy, now=ctx.at, only=rules.SOURCE_RULES
            )
            if f.subject in wanted
        ]
    if ctx.policy.same_harm_at_service.enabled:
        for service_id, codes in (windows or {}).items():
            for code, (start, end) in codes.items():
                family = harms.at_service(service_id, [code], start, end)
                _add_slim(known, family)
                findings += [
                    f
                    for f in rules.evaluate(
                        family.values(), ctx.policy, now=ctx.at, only=rules.SERVICE_RULES
                    )
                    if f.subject == f"service:{service_id}:{code}"
                ]
    return apply(ctx, findings, known, notifier)


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


class Quiet:
    """A notifier that tells nobody: judging years of history at once would send
    every lead thousands of messages; the dashboard shows what it raised."""

    def add(self, alert, event):
        pass

    def send(self):
        pass


def judge_history(
    organisation_id: int, *, at: datetime | None = None, chunk: int = 2_000, reindex=True
):
    """Judge every concern already recorded (after a bulk load that bypassed the
    rules): people in chunks, then alleged sources, then each service's categories.
    reindex: rebuild the harm index first (skip when the loader filled it). Returns
    the number of alerts raised or changed."""
    at = at or timezone.now()
    if reindex:
        harms.rebuild(organisation_id)
    touched = 0
    people = (
        ConcernPerson.objects.filter(concern__organisation_id=organisation_id)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()
    )
    last = 0
    while chunk_people := list(people.filter(person_id__gt=last)[:chunk]):
        with transaction.atomic():
            ctx = Context(organisation_id, at)
            lock([f"person:{p}" for p in chunk_people])
            touched += len(judge(ctx, people=chunk_people, notifier=Quiet()))
        last = chunk_people[-1]
    concerns = Concern.objects.filter(organisation_id=organisation_id)
    sources = sorted(
        {
            f"staff:{pk}"
            for pk in concerns.exclude(source_staff=None)
            .values_list("source_staff_id", flat=True)
            .distinct()
        }
        | {
            f"person:{pk}"
            for pk in concerns.exclude(source_person=None)
            .values_list("source_person_id", flat=True)
            .distinct()
        }
    )
    for start in range(0, len(sources), chunk):
        with transaction.atomic():
            ctx = Context(organisation_id, at)
            touched += len(judge(ctx, sources=sources[start : start + chunk], notifier=Quiet()))
    services = concerns.values_list("service_id", flat=True).distinct().order_by("service_id")
    for service_id in services:
        codes = set(
            harms.HarmIndex.objects.filter(service_id=service_id)
            .values_list("category", flat=True)
            .distinct()
        )
        with transaction.atomic():
            ctx = Context(organisation_id, at)
            always = (datetime(1900, 1, 1, tzinfo=UTC), at + timedelta(days=3650))
            touched += len(
                judge(ctx, windows={service_id: dict.fromkeys(codes, always)}, notifier=Quiet())
            )
    return touched


def apply(ctx: Context, findings, known: dict, notifier=None) -> list:
    """Raise, update or reopen one alert per finding."""
    notifier = notifier or Notifier(ctx)
    existing = {(a.rule, a.subject): a for a in _alerts_for(ctx.organisation_id, findings)}
    linked = _linked(
        [a.pk for a in existing.values()], {i for f in findings for i in f.concern_ids}
    )
    touched, links, fresh, rescored, waiting_again = [], [], [], [], []
    for finding in findings:
        alert = existing.get((finding.rule, finding.subject))
        if alert is None:
            fresh.append(finding)
            continue
        added = finding.concern_ids - linked[alert.pk]
        if not added:
            if "score" in finding.detail and alert.score != finding.detail["score"]:
                alert.score = finding.detail["score"]
                rescored.append(alert)
            continue
        if _join(ctx, alert, finding, added, known, links):
            notifier.add(alert, "reopened")
            waiting_again.append(alert)
        touched.append(alert)
    for alert in _raise_all(ctx, fresh, known, links) if fresh else ():
        notifier.add(alert, "raised")
        touched.append(alert)
        waiting_again.append(alert)
    _link(links, ctx.at)
    place_in_cases(waiting_again, ctx.at)
    # Scores that changed with no new concern (a re-scoring): saved together.
    Alert.objects.bulk_update(rescored, ["score"], batch_size=1_000)
    notifier.send()
    return touched


def _alerts_for(organisation_id, findings) -> list[Alert]:
    """The alerts these findings belong to, if raised already (plain SQL through the
    unique index on organisation, rule and subject: this runs for every concern)."""
    if not findings:
        return []
    rules_ = sorted({f.rule for f in findings})
    subjects = sorted({f.subject for f in findings})
    found = []
    table = connection.ops.quote_name(Alert._meta.db_table)
    for start in range(0, len(subjects), 2_000):
        chunk = subjects[start : start + 2_000]
        sql = f"SELECT * FROM {table} WHERE organisation_id = %s"  # noqa: S608
        sql += f" AND rule IN ({', '.join(['%s'] * len(rules_))})"
        sql += f" AND subject IN ({', '.join(['%s'] * len(chunk))})"
        found += Alert.objects.raw(sql, [organisation_id, *rules_, *chunk])
    return found


def _linked(alert_ids, concern_ids) -> dict[int, set[int]]:
    """Which of these concerns each alert already holds. Plain SQL in chunks: a
    service's finding names hundreds of concerns, and its alert can hold thousands."""
    linked = defaultdict(set)
    if not alert_ids or not concern_ids:
        return linked
    table = connection.ops.quote_name(AlertConcern._meta.db_table)
    alerts_marks = ", ".join(["%s"] * len(alert_ids))
    concern_ids = sorted(concern_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(concern_ids), 2_000):
            chunk = concern_ids[start : start + 2_000]
            marks = ", ".join(["%s"] * len(chunk))
            sql = f"SELECT alert_id, concern_id FROM {table} WHERE alert_id IN ({alerts_marks})"  # noqa: S608
            cursor.execute(f"{sql} AND concern_id IN ({marks})", [*alert_ids, *chunk])
            for alert_id, concern_id in cursor.fetchall():
                linked[alert_id].add(concern_id)
    return linked


def _link(links: list[tuple[int, int]], at: datetime) -> None:
    """Save (alert id, concern id) links in plain batched inserts: judging history
    links hundreds of thousands, and model objects for each cost more than the insert."""
    if not links:
        return
    table = connection.ops.quote_name(AlertConcern._meta.db_table)
    added = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO " + table + " (alert_id, concern_id, added_at) VALUES (%s, %s, %s)",  # noqa: S608
            [(alert_id, concern_id, added) for alert_id, concern_id in links],
        )


def _subject_fields(subject: str, known: dict) -> dict:
    kind, _, rest = subject.partition(":")
    if kind == "person":
        return {"person_id": int(rest)}
    if kind == "source":
        source_kind, _, pk = rest.partition(":")
        return (
            {"source_staff_id": int(pk)}
            if source_kind == "staff"
            else {"source_person_id": int(pk)}
        )
    if kind == "service":
        service_id, _, category = rest.partition(":")
        return {"service_id": int(service_id), "category": category}
    if kind == "concern":
        fact = known.get(int(rest))
        return {"person_id": fact.person_ids[0] if fact and fact.person_ids else None}
    return {}


def _explain(ctx, alert_rule, subject, ids, known) -> str:
    missing = [i for i in ids if i not in known]
    if missing:
        known |= factstore.by_ids(missing)
    sentence = rules.explain(
        rules.Finding(alert_rule, subject, frozenset(ids)),
        known,
        ctx.teams,
        ctx.shifts,
        local=timezone.localtime,
    )
    if subject.startswith("service:"):
        category = subject.split(":", 2)[2]
        sentence = sentence.replace(
            "same kind", f"same kind ({ctx.categories.get(category, category).lower()})", 1
        )
    return sentence


def _raise_all(ctx, findings, known, links) -> list[Alert]:
    """New alerts for these findings, saved together (a sweep or an import can raise
    hundreds at once)."""
    alerts = Alert.objects.bulk_create(
        [
            Alert(
                organisation_id=ctx.organisation_id,
                rule=finding.rule,
                subject=finding.subject,
                policy_version=ctx.version,
                explanation=_explain(
                    ctx, finding.rule, finding.subject, finding.concern_ids, known
                ),
                score=finding.detail.get("score"),
                raised_at=ctx.at,
                updated_at=ctx.at,
                waiting_since=ctx.at,
                **_subject_fields(finding.subject, known),
            )
            for finding in findings
        ],
        batch_size=500,
    )
    events, entries = [], []
    for finding, alert in zip(findings, alerts, strict=True):
        ids = sorted(finding.concern_ids)
        links += ((alert.pk, i) for i in ids)
        events.append(
            AlertEvent(alert=alert, at=ctx.at, kind=AlertEvent.Kind.RAISED, concern_ids=ids)
        )
        # Each person's entry names their own concerns in the alert.
        theirs = defaultdict(list)
        for i in ids:
            for person_id in known[i].person_ids if i in known else ():
                theirs[person_id].append(i)
        entries += (
            {
                "action": "raised alert",
                "object_type": "alert",
                "object_id": alert.pk,
                "person_id": person_id,
                "organisation_id": alert.organisation_id,
                "detail": {"rule": alert.rule, "concern_ids": own},
            }
            for person_id, own in (theirs.items() or [(None, ids)])
        )
    AlertEvent.objects.bulk_create(events, batch_size=500)
    trail.record_all(entries)
    return alerts


def _join(ctx, alert, finding, added, known, links) -> bool:
    """Add new concerns to an alert (links: saved together by the caller); reopen it
    if it had been decided. True if reopened."""
    links += ((alert.pk, i) for i in sorted(added))
    reopened = alert.status == Alert.Status.DECIDED
    if reopened:
        # Explain the new episode: the new concerns and those in the rule's window before them.
        days = rules.window_days(ctx.policy, alert.rule)
        first_new = min((known[i].occurred_at for i in added if i in known), default=ctx.at)
        alert.episode_from = first_new - timedelta(days=days) if days else first_new
        alert.status = Alert.Status.OPEN
        alert.waiting_since = ctx.at
        alert.acknowledged_by = None
        alert.acknowledged_at = None
    # Explain what the rule sees now (since the last decision, once reopened).
    ids = set(finding.concern_ids)
    if alert.episode_from:
        ids = {i for i in ids if i in known and known[i].occurred_at >= alert.episode_from}
        ids |= set(added)
    alert.explanation = _explain(ctx, alert.rule, alert.subject, ids, known)
    alert.policy_version = ctx.version
    alert.updated_at = ctx.at
    if "score" in finding.detail:
        alert.score = finding.detail["score"]
    if not reopened:  # the usual case, on every concern: a plain update of four columns
        ops = connection.ops
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ops.quote_name(Alert._meta.db_table)} SET explanation = %s,"  # noqa: S608
                " policy_version_id = %s, updated_at = %s, score = %s WHERE id = %s",
                [
                    alert.explanation,
                    ctx.version.pk,
                    ops.adapt_datetimefield_value(ctx.at),
                    alert.score,
                    alert.pk,
                ],
            )
        return False
    alert.save(
        update_fields=[
            "status",
            "waiting_since",
            "episode_from",
            "acknowledged_by",
            "acknowledged_at",
            "explanation",
            "policy_version",
            "updated_at",
            "score",
        ]
    )
    # Concerns joining an open alert are recorded by their links (with added_at);
    # reopening is an event in the alert's history and in the people's trails.
    if reopened:
        AlertEvent.objects.create(
            alert=alert, at=ctx.at, kind=AlertEvent.Kind.REOPENED, concern_ids=sorted(added)
        )
        record_trail(
            alert,
            "reopened alert",
            people=_people_in(added, known),
            concern_ids=sorted(added),
        )
    return reopened


def flag(
    organisation_id: int,
    rule: str,
    person_id: int,
    concern_ids,
    explanation: str,
    *,
    at: datetime | None = None,
    note: str = "",
) -> Alert:
    """Raise (or reopen) the one alert for this rule about a person, for a reason a
    later app works out (a decision not to share that is due for review), with its
    own explanation."""
    at = at or timezone.now()
    ctx = Context(organisation_id, at)
    lock([f"person:{person_id}"])
    known = factstore.by_ids(list(concern_ids))
    finding = rules.Finding(rule, f"person:{person_id}", frozenset(concern_ids))
    touched = apply(ctx, [finding], known)
    alert = Alert.objects.select_for_update().get(
        organisation_id=organisation_id, rule=rule, subject=finding.subject
    )
    if alert not in touched and alert.status == Alert.Status.DECIDED:
        reopen(alert, at, AlertEvent.Kind.REOPENED, note)
        record_trail(alert, "reopened alert", people=[person_id], note=note)
        notifier = Notifier(ctx)
        notifier.add(alert, "reopened")
        notifier.send()
    alert.explanation = explanation
    alert.save(update_fields=["explanation"])
    return alert


def place_in_cases(alerts, at: datetime) -> None:
    """Each of these alerts that waits outside a waiting case joins its person's
    waiting case, or opens one (an alert not about a person opens its own). Cases are
    found and made a few queries at a time: an import raises thousands of alerts."""
    alerts = [a for a in alerts if a.status != Alert.Status.DECIDED]
    if not alerts:
        return
    still_waiting = set(
        CaseForDecision.objects.filter(
            pk__in={a.case_id for a in alerts if a.case_id}, decided_at__isnull=True
        ).values_list("pk", flat=True)
    )
    homeless = [a for a in alerts if a.case_id not in still_waiting]
    if not homeless:
        return
    people = {(a.organisation_id, a.person_id) for a in homeless if a.person_id}
    cases = {}
    if people:
        for case in CaseForDecision.objects.waiting().filter(
            organisation_id__in={o for o, _ in people}, person_id__in={p for _, p in people}
        ):
            cases[(case.organisation_id, case.person_id)] = case
        missing = sorted(people - set(cases))
        for case in CaseForDecision.objects.bulk_create(
            [CaseForDecision(organisation_id=o, person_id=p, opened_at=at) for o, p in missing],
            batch_size=500,
        ):
            cases[(case.organisation_id, case.person_id)] = case
    alone = [a for a in homeless if not a.person_id]
    own = CaseForDecision.objects.bulk_create(
        [CaseForDecision(organisation_id=a.organisation_id, opened_at=at) for a in alone],
        batch_size=500,
    )
    for alert, case in zip(alone, own, strict=True):
        alert.case = case
    for alert in homeless:
        if alert.person_id:
            alert.case = cases[(alert.organisation_id, alert.person_id)]
    Alert.objects.bulk_update(homeless, ["case"], batch_size=1_000)


def reopen(alert: Alert, at: datetime, kind: str, note: str = "") -> None:
    """A decided alert waits for a decision again (from `at`), with the reason in its
    history, in its person's waiting case."""
    alert.status = Alert.Status.OPEN
    alert.waiting_since = alert.updated_at = at
    alert.acknowledged_by, alert.acknowledged_at = None, None
    alert.save(
        update_fields=[
            "status",
            "waiting_since",
            "updated_at",
            "acknowledged_by",
            "acknowledged_at",
        ]
    )
    AlertEvent.objects.create(alert=alert, at=at, kind=kind, note=note)
    place_in_cases([alert], at)


def people_of(alert: Alert) -> list[int]:
    """Everyone whose record an alert is part of."""
    return sorted(
        set(
            ConcernPerson.objects.filter(
                concern_id__in=AlertConcern.objects.filter(alert=alert).values("concern_id")
            ).values_list("person_id", flat=True)
        )
    )


def _people_in(concern_ids, known) -> list[int]:
    return sorted({pid for i in concern_ids if i in known for pid in known[i].person_ids})


def record_trail(alert, action, *, actor=None, request=None, reason="", people=None, **detail):
    """One entry per person the alert is about (or `people`, when only some are
    touched: new concerns joining a service's alert touch only their own people)."""
    people = (people if people is not None else people_of(alert)) or [None]
    if request is not None:
        trail.record_reads(
            request,
            action,
            people,
            organisation_id=alert.organisation_id,
            object_type="alert",
            object_id=alert.pk,
            reason=reason,
            detail={"rule": alert.rule, **detail},
        )
        return
    for person_id in people:
        trail.record(
            actor=actor,
            action=action,
            object_type="alert",
            object_id=alert.pk,
            person_id=person_id,
            organisation_id=alert.organisation_id,
            reason=reason,
            detail={"rule": alert.rule, **detail},
        )


# Risk scores ---------------------------------------------------------------------


def level(score: float, at: datetime, half_life_days: float) -> float | None:
    """log2(score) plus the half-lives from a fixed day to `at`: constant while the
    score only fades, so ordering by it ranks people by their score now."""
    if score <= 0:
        return None
    days = (at - EPOCH).total_seconds() / 86400
    return math.log2(score) + days / half_life_days


def level_threshold(threshold: float, at: datetime, half_life_days: float) -> float:
    return level(threshold, at, half_life_days)


def save_scores(ctx, people, family) -> list:
    """Work out and keep each person's risk score; returns the risk-score findings
    for those over the threshold."""
    rule = ctx.policy.risk_score
    by_person = defaultdict(list)
    for f in family.values():
        for pid in f.person_ids:
            by_person[pid].append(f)
    scored = {
        pid: rules.risk_score(
            by_person.get(pid, []), rule, now=ctx.at, category_weights=ctx.weights
        )
        for pid in people
    }
    if len(people) == 1:  # the usual case, on every concern: one plain update
        pid = people[0]
        values = _score_values(ctx, rule, *scored[pid])
        if not _update_score(pid, values):
            RiskScore.objects.create(person_id=pid, **values)
    else:
        # Many people (an import, a re-scoring): replace their rows, cheaper than
        # updating each (scores are worked out, not recorded: the concerns are).
        RiskScore.objects.filter(person_id__in=people).delete()
        RiskScore.objects.bulk_create(
            (RiskScore(person_id=pid, **_score_values(ctx, rule, *scored[pid])) for pid in people),
            batch_size=1_000,
        )
    return [
        found
        for pid, (score, contributing) in scored.items()
        if (found := rules.risk_finding(f"person:{pid}", score, contributing, rule))
    ]


def _update_score(person_id, values) -> int:
    ops = connection.ops
    table = ops.quote_name(RiskScore._meta.db_table)
    columns = ", ".join(
        f"{ops.quote_name(RiskScore._meta.get_field(n).column)} = %s" for n in values
    )
    params = [
        ops.adapt_datetimefield_value(v)
        if n == "scored_at"
        else ops.adapt_json_value(v, None)
        if n == "concern_ids"
        else v
        for n, v in values.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {columns} WHERE person_id = %s", [*params, person_id])  # noqa: S608
        return cursor.rowcount


SCORE_FIELDS = [
    "organisation_id",
    "score",
    "scored_at",
    "half_life_days",
    "level",
    "policy_version_id",
    "concern_ids",
]


def _score_values(ctx, rule, score, contributing) -> dict:
    return dict(
        zip(
            SCORE_FIELDS,
            (
                ctx.organisation_id,
                score,
                ctx.at,
                rule.half_life_days,
                level(score, ctx.at, rule.half_life_days),
                ctx.version.pk,
                sorted(contributing),
            ),
            strict=True,
        )
    )


# Notifications -------------------------------------------------------------------


class Notifier:
    """Collects who must hear about which alerts, then tells each person once per case
    for decision: an in-app notification naming the rules they may see, and one email
    listing the cases. A case's concerns already told of are not told again, so four
    rules firing on the same concerns make one notification. Emails carry no names or
    details, only what to open."""

    WORDS = {
        "raised": "New case for decision",
        "reopened": "Case for decision: reopened by new concerns",
        "monitoring_ended": "Case for decision: monitoring period ended",
    }

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.items: list[tuple[Alert, str]] = []

    def add(self, alert: Alert, event: str) -> None:
        self.items.append((alert, event))

    def send(self) -> None:
        if not self.items:
            return
        alert_ids = [a.pk for a, _ in self.items]
        reach = defaultdict(set)  # alert -> {(team, alleged source on staff)}
        concerns = defaultdict(set)
        for alert_id, concern_id, team_id, source_staff_id in AlertConcern.objects.filter(
            alert_id__in=alert_ids
        ).values_list("alert_id", "concern_id", "concern__team_id", "concern__source_staff_id"):
            reach[alert_id].add((team_id, source_staff_id))
            concerns[alert_id].add(concern_id)
        # Leads and managers of the organisation may hear; the one visibility rule
        # decides who does, alert by alert.
        addresses = dict(
            Membership.objects.filter(
                organisation_id=self.ctx.organisation_id,
                role__in=(Role.SAFEGUARDING_LEAD, Role.TEAM_MANAGER),
                user__is_active=True,
            ).values_list("user_id", "user__email")
        )
        readers = {
            user_id: visibility.alert_rule(user_id, scope)
            for user_id, scope in scopes_for(addresses).items()
        }
        groups: dict[object, list[tuple[Alert, str]]] = defaultdict(list)
        for alert, event in self.items:
            groups[alert.case_id or ("alert", alert.pk)].append((alert, event))
        cases = CaseForDecision.objects.select_for_update().in_bulk(
            [key for key in groups if isinstance(key, int)]
        )
        # What a waiting case already holds was told of when it opened, or joined an
        # alert already waiting in it (which tells nobody): only concerns new to the
        # case are news.
        held = defaultdict(set)
        for case_id, concern_id in (
            AlertConcern.objects.filter(
                alert__case_id__in=[k for k, c in cases.items() if c.person_id]
            )
            .exclude(alert_id__in=alert_ids)
            .values_list("alert__case_id", "concern_id")
        ):
            held[case_id].add(concern_id)
        notes, emails, told = [], defaultdict(list), []
        for key, group in groups.items():
            case = cases.get(key) if isinstance(key, int) else None
            about = set().union(*(concerns[a.pk] for a, _ in group))
            if case is not None and case.person_id:
                known = set(case.notified_concern_ids) | held[case.pk]
                if not about - known:
                    continue  # these concerns were told of already, in this case
                case.notified_concern_ids = sorted(about | known)
                told.append(case)
            # Each reader hears once, of the rules in it they may see.
            theirs = defaultdict(list)
            for alert, event in group:
                seen = visibility.AlertReach(
                    alert.organisation_id, alert.source_staff_id, frozenset(reach[alert.pk])
                )
                for user_id, rule in readers.items():
                    if rule.allows(seen):
                        theirs[user_id].append((alert, event))
            for user_id in sorted(theirs):
                shown = theirs[user_id]
                first, event = shown[0]
                titles = list(dict.fromkeys(a.title for a, _ in shown))
                text = f"{self.WORDS[event]}: {'; '.join(titles)}"
                notes.append(
                    Notification(
                        recipient_id=user_id, alert=first, message=text, created_at=self.ctx.at
                    )
                )
                if addresses.get(user_id):
                    # The email says only that something waits, never what: mail servers
                    # and inboxes are outside our control.
                    link = (
                        reverse("case", args=[first.case_id])
                        if first.case_id
                        else reverse("alert", args=[first.pk])
                    )
                    emails[addresses[user_id]].append((self.WORDS[event], link))
        Notification.objects.bulk_create(notes, batch_size=500)
        CaseForDecision.objects.bulk_update(told, ["notified_concern_ids"], batch_size=500)
        self.items = []
        if emails:
            transaction.on_commit(lambda: _email(emails))


def _email(emails) -> None:
    """emails: address -> [(text, link)]."""
    site = getattr(settings, "SHAREWISE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    messages = []
    for address, items in emails.items():
        lines = [f"- {text}: {site}{link}" for text, link in items]
        subject = (
            "A safeguarding alert needs your decision"
            if len(items) == 1
            else f"{len(items)} safeguarding alerts need your decision"
        )
        body = (
            "Sharewise has safeguarding alerts for you to look at:\n\n"
            + "\n".join(lines)
            + "\n\nSign in to see the details. This email holds no personal information.\n"
        )
        messages.append((f"Sharewise: {subject}", body, None, [address]))
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # the alert stands in the app whatever the mail server does
        log.exception("Could not send alert emails")


# Lifecycle ---------------------------------------------------------------------


@transaction.atomic
def acknowledge(request, alert: Alert) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != Alert.Status.OPEN:
        raise ValidationError({"status": ["Only an open alert can be acknowledged"]})
    now = timezone.now()
    alert.status = Alert.Status.ACKNOWLEDGED
    alert.acknowledged_by = request.user
    alert.acknowledged_at = now
    alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    AlertEvent.objects.create(
        alert=alert, at=now, kind=AlertEvent.Kind.ACKNOWLEDGED, by=request.user
    )
    record_trail(alert, "acknowledged alert", request=request)
    return alert


def settle_overdue_review(concern, review) -> None:
    """A late review answers its "review overdue" alert: the reviewer's written
    reasons become the decision, so the lead is not left to close it by hand."""
    waiting = Alert.objects.needing_decision().filter(
        rule="overdue_review", subject=f"concern:{concern.pk}"
    )
    for alert in waiting:
        who = review.reviewed_by.get_full_name() or review.reviewed_by.username
        decide(
            None,
            alert,
            Outcome.NO_FURTHER_ACTION,
            f"Reviewed late, on {timezone.localtime(review.reviewed_at):%-d %B %Y at %H:%M}, "
            f"by {who}: {review.get_outcome_display().lower()}. {review.rationale}",
            actor=review.reviewed_by,
            at=review.reviewed_at,
        )


def decision_problems(
    outcome: str, rationale: str, monitor_until: date | None, policy, today: date
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = ["Choose what happens next: escalate, monitor or no further action"]
    words = len((rationale or "").split())
    need = policy.decisions.min_rationale_words
    if words < need:
        errors["rationale"] = [
            f"Write your reasons in at least {need} words, so anyone reading this later "
            f"understands the decision (you have written {words})"
        ]
    if outcome == Outcome.MONITOR:
        latest = today + timedelta(days=policy.decisions.max_monitor_days)
        if monitor_until is None:
            errors["monitor_until"] = [
                "Enter the date when monitoring ends and someone looks again"
            ]
        elif monitor_until <= today:
            errors["monitor_until"] = ["The date monitoring ends must be in the future"]
        elif monitor_until > latest:
            errors["monitor_until"] = [
                f"Monitor for at most {policy.decisions.max_monitor_days} days: "
                f"choose a date on or before {latest:%-d %B %Y}"
            ]
    elif monitor_until is not None and outcome in Outcome.values:
        errors["monitor_until"] = [
            "A date to monitor until goes with monitoring: choose monitor, or clear the date"
        ]
    return errors


@transaction.atomic
def decide(
    request,
    alert: Alert,
    outcome: str,
    rationale: str,
    monitor_until: date | None = None,
    *,
    actor=None,
    at=None,
) -> AlertDecision:
    """Record a decision, or raise ValidationError naming what to fix. Nobody can
    close an alert without written reasons."""
    at = at or timezone.now()
    version, policy = store.in_force(alert.organisation_id, "patterns")
    errors = decision_problems(outcome, rationale, monitor_until, policy, timezone.localdate(at))
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == Alert.Status.DECIDED:
        errors.setdefault("outcome", []).append(
            "This alert has already been decided; new concerns will reopen it"
        )
    if errors:
        raise ValidationError(errors)
    by = actor or request.user
    decision = AlertDecision.objects.create(
        alert=alert,
        case_id=alert.case_id,
        decided_by=by,
        decided_at=at,
        outcome=outcome,
        monitor_until=monitor_until if outcome == Outcome.MONITOR else None,
        rationale=rationale.strip(),
        policy_version=version,
    )
    alert.status = Alert.Status.DECIDED
    alert.save(update_fields=["status"])
    AlertEvent.objects.create(
        alert=alert, at=at, kind=AlertEvent.Kind.DECIDED, by=by, note=decision.get_outcome_display()
    )
    record_trail(
        alert,
        "decided alert",
        request=request,
        actor=actor,
        outcome=outcome,
        monitor_until=monitor_until.isoformat() if monitor_until else None,
    )
    signals.alert_decided.send(Alert, alert=alert, decision=decision)
    _close_case_if_done(alert, decision)
    return decision


def _close_case_if_done(alert: Alert, decision: AlertDecision) -> None:
    """A case is decided when none of its alerts waits any longer; it keeps the
    decision that closed it."""
    if alert.case_id is None:
        return
    if Alert.objects.needing_decision().filter(case_id=alert.case_id).exists():
        return
    CaseForDecision.objects.filter(pk=alert.case_id, decided_at__isnull=True).update(
        decided_at=decision.decided_at,
        decided_by=decision.decided_by,
        outcome=decision.outcome,
        monitor_until=decision.monitor_until,
        rationale=decision.rationale,
    )


@transaction.atomic
def decide_case(
    request,
    case: CaseForDecision,
    outcome: str,
    rationale: str,
    monitor_until: date | None = None,
    *,
    actor=None,
    at=None,
) -> list[AlertDecision]:
    """One written decision for every alert waiting in the case: each alert gets its
    own decision record and history entry. Raises ValidationError naming what to fix;
    a decider who may not see every alert in it (one names them) may not decide it."""
    at = at or timezone.now()
    case = CaseForDecision.objects.select_for_update().get(pk=case.pk)
    version, policy = store.in_force(case.organisation_id, "patterns")
    errors = decision_problems(outcome, rationale, monitor_until, policy, timezone.localdate(at))
    waiting = list(
        Alert.objects.select_for_update().needing_decision().filter(case=case).order_by("id")
    )
    by = actor or request.user
    if case.decided_at is not None or not waiting:
        errors.setdefault("outcome", []).append(
            "This case has already been decided; new concerns will open a new one"
        )
    elif Alert.objects.visible_to(by).filter(pk__in=[a.pk for a in waiting]).count() < len(waiting):
        errors.setdefault("outcome", []).append(
            "Part of this case is outside what you may see: another safeguarding lead "
            "must decide it"
        )
    if errors:
        raise ValidationError(errors)
    return [
        decide(request, alert, outcome, rationale, monitor_until, actor=actor, at=at)
        for alert in waiting
    ]


@transaction.atomic
def acknowledge_case(request, case: CaseForDecision) -> int:
    """Acknowledge every open alert in the case the user may see. Returns how many."""
    alerts = list(
        Alert.objects.visible_to(request.user).filter(case=case, status=Alert.Status.OPEN)
    )
    if not alerts:
        raise ValidationError({"status": ["Only an open case can be acknowledged"]})
    for alert in alerts:
        acknowledge(request, alert)
    return len(alerts)
