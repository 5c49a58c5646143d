"""Replaying history under a pattern policy: the alerts it would have raised between
two dates, for whom, and how many days before the escalations that actually
happened, so a safeguarding lead can tune thresholds with evidence."""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from pydantic import BaseModel, ValidationError

from sharewise.concerns.models import Concern, ConcernPerson, ReviewOutcome
from sharewise.patterns import engine
from sharewise.patterns import facts as factstore
from sharewise.patterns.models import RULE_TITLES, AlertDecision, Outcome
from sharewise.policy import store
from sharewise.policy.documents import PatternPolicy

REPLAYED_RULES = tuple(name for name in engine.RULES if name != "overdue_review")


@dataclass(frozen=True)
class Row:
    """One alert the policy would have raised."""

    rule: str
    title: str
    subject: str
    person_id: int | None
    fires_at: datetime
    concern_ids: tuple[int, ...]
    escalated_at: datetime | None  # the person's first actual escalation since
    days_earlier: int | None  # None when not escalated, or escalated before it fired


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    replayed_from: date  # back by the longest window, so windows open at the start count
    policy: PatternPolicy
    rows: list[Row]
    totals: dict[str, int]  # every replayed rule, in engine.RULES order
    people: int
    median_days_earlier: float | None
    # People escalated in the period with no alert about them before that escalation.
    escalations_without_alert: int

    @property
    def alerts(self) -> int:
        return len(self.rows)


def run(organisation_id: int, start: date, end: date, policy=None) -> Report:
    """The alerts `policy` (default: the one in force) would have raised from start
    to end, both days included."""
    if policy is None:
        _, policy = store.in_force(organisation_id, "patterns")
    history = _History(organisation_id, start, end, lookback_days(policy))
    return history.report(policy)


def compare(
    organisation_id: int, start: date, end: date, proposed_policy, reader=None
) -> tuple[Report, Report]:
    """(report under the policy in force, report under the proposed one), from one
    reading of the history (leaving out concerns naming the reader, if given, as the
    alleged source: what they are shown must not tell them of one)."""
    _, in_force = store.in_force(organisation_id, "patterns")
    days = max(lookback_days(in_force), lookback_days(proposed_policy))
    history = _History(organisation_id, start, end, days, reader)
    return history.report(in_force), history.report(proposed_policy)


def lookback_days(policy) -> int:
    """The longest window of any rule switched on."""
    return max(
        (
            engine.window_days(policy, name) or 0
            for name in REPLAYED_RULES
            if getattr(policy, name).enabled
        ),
        default=0,
    )


class _History:
    """Concerns and actual escalations of one organisation, read once."""

    def __init__(self, organisation_id: int, start: date, end: date, lookback: int, reader=None):
        self.start, self.end = start, end
        self.start_at = _midnight(start)
        self.end_before = _midnight(end + timedelta(days=1))
        since = self.start_at - timedelta(days=lookback)
        concerns = Concern.objects.filter(
            organisation_id=organisation_id,
            occurred_at__gte=since,
            occurred_at__lt=self.end_before,
        )
        if reader is not None:
            concerns = concerns.exclude(source_staff_id=reader.pk)
        self.facts = factstore.load(concerns)
        _, recording = store.in_force(organisation_id, "recording")
        self.weights = {c.code: c.weight for c in recording.categories}
        escalations = defaultdict(list)
        for person_id, at in ConcernPerson.objects.filter(
            concern__organisation_id=organisation_id,
            concern__review__outcome=ReviewOutcome.ESCALATE,
            concern__review__reviewed_at__gte=since,
        ).values_list("person_id", "concern__review__reviewed_at"):
            escalations[person_id].append(at)
        for person_id, at in AlertDecision.objects.filter(
            alert__organisation_id=organisation_id,
            alert__person__isnull=False,
            outcome=Outcome.ESCALATE,
            decided_at__gte=since,
        ).values_list("alert__person_id", "decided_at"):
            escalations[person_id].append(at)
        self.escalations = {pid: sorted(moments) for pid, moments in escalations.items()}

    def report(self, policy) -> Report:
        since = self.start_at - timedelta(days=lookback_days(policy))
        facts = [f for f in self.facts.values() if since <= f.occurred_at < self.end_before]
        alerts = engine.first_alerts(facts, policy, weights=self.weights)
        # Person alerts by person, including any that fired before the period.
        first_alert = {}
        for (_, subject), (at, _) in alerts.items():
            pid = _person_id(subject)
            if pid is not None:
                first_alert[pid] = min(at, first_alert.get(pid, at))
        rows = []
        for (rule, subject), (at, ids) in alerts.items():
            if not self.start_at <= at < self.end_before:
                continue
            pid = _person_id(subject)
            escalated_at = None
            if pid is not None:
                began = min(self.facts[i].occurred_at for i in ids)
                escalated_at = _first_at_or_after(self.escalations.get(pid, []), began)
            rows.append(
                Row(
                    rule=rule,
                    title=RULE_TITLES.get(rule, rule),
                    subject=subject,
                    person_id=pid,
                    fires_at=at,
                    concern_ids=tuple(sorted(ids)),
                    escalated_at=escalated_at,
                    days_earlier=(
                        (escalated_at - at).days
                        if escalated_at is not None and escalated_at >= at
                        else None
                    ),
                )
            )
        rows.sort(key=lambda r: (r.fires_at, engine.RULES.index(r.rule), r.subject))
        totals = dict.fromkeys(REPLAYED_RULES, 0)
        for row in rows:
            totals[row.rule] += 1
        earlier = [r.days_earlier for r in rows if r.days_earlier is not None]
        missed = 0
        for pid, moments in self.escalations.items():
            in_period = _first_at_or_after(moments, self.start_at)
            if in_period is not None and in_period < self.end_before:
                if first_alert.get(pid) is None or first_alert[pid] > in_period:
                    missed += 1
        return Report(
            start=self.start,
            end=self.end,
            replayed_from=timezone.localtime(since).date(),
            policy=policy,
            rows=rows,
            totals=totals,
            people=len({r.person_id for r in rows if r.person_id is not None}),
            median_days_earlier=statistics.median(earlier) if earlier else None,
            escalations_without_alert=missed,
        )


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _person_id(subject: str) -> int | None:
    kind, _, rest = subject.partition(":")
    return int(rest) if kind == "person" else None


def _first_at_or_after(moments: list[datetime], at: datetime) -> datetime | None:
    i = bisect_left(moments, at)
    return moments[i] if i < len(moments) else None


class PolicyProblem(ValueError):
    """A proposed policy that cannot be used; problems name each field and what is
    wrong with it."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def proposed_policy(document, base) -> PatternPolicy:
    """The policy `base` with the changes in `document` (parsed YAML or JSON in the
    form of patterns.yaml). Settings it leaves out keep base's values, not the
    shipped defaults, so a file can name just the thresholds being tried."""
    if not isinstance(document, dict):
        raise PolicyProblem(
            ["The policy must list rules and their settings, in the form of patterns.yaml."]
        )
    problems = _unknown_settings(document, PatternPolicy)
    try:
        policy = PatternPolicy.model_validate(_merge(base.model_dump(mode="json"), document))
    except ValidationError as error:
        for e in error.errors():
            where = ".".join(str(part) for part in e["loc"]) or "policy"
            got = "" if isinstance(e.get("input"), dict) else f" (it is {e.get('input')!r})"
            problems.append(f"{where}: {e['msg']}{got}")
        policy = None
    if problems:
        raise PolicyProblem(problems)
    return policy


def _merge(base: dict, changes: dict) -> dict:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _unknown_settings(document: dict, model: type[BaseModel], where: str = "") -> list[str]:
    """Misspelt names would otherwise be ignored, quietly testing the wrong policy."""
    problems = []
    for key, value in document.items():
        field = model.model_fields.get(key) if isinstance(key, str) else None
        if field is None:
            known = ", ".join(model.model_fields)
            problems.append(f"{where}{key}: not a known setting (expected one of: {known})")
            continue
        kind = field.annotation
        if isinstance(value, dict) and isinstance(kind, type) and issubclass(kind, BaseModel):
            problems += _unknown_settings(value, kind, f"{where}{key}.")
    return problems
