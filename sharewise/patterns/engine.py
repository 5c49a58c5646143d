"""The pattern engine: given concerns as plain facts and the pattern policy, find the
patterns that make a person, an alleged source or a service need a decision, and
the concerns that make each one.

Every window rule is monotone: adding a concern can only add to what fires, never
take away. So whichever order concerns are recorded in, and whether the rules run
after each one or once over the whole history, the same concerns end up in the same
alerts. (Escalating severity is read as "N concerns within the window, each more
severe than the one before", which keeps that promise; "the last three" would not.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

SEVERITY_RANK = {"low": 1, "moderate": 2, "high": 3, "immediate": 4}

RULES = (
    "cumulative",
    "cross_team",
    "refused_repeated",
    "common_source",
    "same_harm_at_service",
    "unexplained_injuries",
    "escalating_severity",
    "staff_implicated",
    "risk_score",
    "overdue_review",
)


class Fact(NamedTuple):
    """One concern, as the rules see it. (A named tuple: hundreds are built for every
    concern recorded at a busy service, and tuples are cheap to make.)"""

    id: int
    occurred_at: datetime
    person_ids: tuple[int, ...]
    team_id: int
    service_id: int
    categories: tuple[str, ...]
    severity: str
    refused: bool = False
    unexplained_injury: bool = False
    source: str | None = None  # "staff:12" or "person:34" when linked to a record
    review_due_at: datetime | None = None
    reviewed: bool = True
    shift: str = ""


@dataclass(frozen=True)
class Trigger:
    """A rule firing: which rule, about whom or what, and the concerns that set it
    off (an alert is raised or refreshed for each)."""

    rule: str
    subject: str  # "person:5", "source:staff:12", "service:3:physical", "concern:9"
    concern_ids: frozenset[int]
    detail: dict = field(default_factory=dict, compare=False, hash=False)


def _windows(facts: list[Fact], days: int, qualifies, keys=None) -> set[int]:
    """Ids of every fact in some qualifying window: the facts from one fact to `days`
    after it. facts are sorted by (occurred_at, id). One pass: the window's end only
    moves forward, and `keys(fact)` (what the window counts: teams, people...) are
    kept in a running tally so qualifies(facts in window, tally) stays cheap."""
    span = timedelta(days=days)
    tally: dict = defaultdict(int)
    marks = [0] * (len(facts) + 1)
    end = 0
    for start, first in enumerate(facts):
        while end < len(facts) and facts[end].occurred_at - first.occurred_at <= span:
            for key in keys(facts[end]) if keys else ():
                tally[key] += 1
            end += 1
        if qualifies(end - start, tally, facts, start, end):
            marks[start] += 1
            marks[end] -= 1
        for key in keys(first) if keys else ():
            tally[key] -= 1
            if not tally[key]:
                del tally[key]
    found, running = set(), 0
    for i, fact in enumerate(facts):
        running += marks[i]
        if running:
            found.add(fact.id)
    return found


def in_time_order(facts: Iterable[Fact]) -> list[Fact]:
    return sorted(facts, key=lambda f: (f.occurred_at, f.id))


def _by_person(facts: Iterable[Fact]) -> dict[int, list[Fact]]:
    people = defaultdict(list)
    for f in facts:
        for pid in f.person_ids:
            people[pid].append(f)
    return {pid: in_time_order(fs) for pid, fs in people.items()}


def _count_rule(name, facts_by_subject, days, qualifies, keys=None):
    triggers = []
    for subject, facts in facts_by_subject.items():
        ids = _windows(facts, days, qualifies, keys)
        if ids:
            triggers.append(Trigger(name, subject, frozenset(ids)))
    return triggers


def _increasing(window: list[Fact], length: int) -> bool:
    """Is there a run of `length` concerns in time order, each more severe than the
    one before? (Longest increasing subsequence over at most four severities.)"""
    best = {rank: 0 for rank in SEVERITY_RANK.values()}
    for f in window:
        rank = SEVERITY_RANK[f.severity]
        best[rank] = max(best[rank], 1 + max((best[r] for r in best if r < rank), default=0))
    return max(best.values()) >= length


PERSON_RULES = frozenset(
    {
        "cumulative",
        "cross_team",
        "refused_repeated",
        "unexplained_injuries",
        "escalating_severity",
        "risk_score",
    }
)
SOURCE_RULES = frozenset({"common_source", "staff_implicated"})
SERVICE_RULES = frozenset({"same_harm_at_service"})


def evaluate(
    facts: Iterable[Fact],
    policy,
    *,
    now: datetime,
    weights: dict[str, float] | None = None,
    only: frozenset[str] | None = None,
) -> list[Trigger]:
    """Every pattern in these facts under this policy at this moment (only: the
    rules to run, when the caller holds just one family of facts)."""
    facts = in_time_order(facts)
    policy = _restricted(policy, only)
    people = {f"person:{pid}": fs for pid, fs in _by_person(facts).items()}
    sources = defaultdict(list)
    for f in facts:
        if f.source:
            sources[f"source:{f.source}"].append(f)
    return [
        *_person_windows(people, policy),
        *_source_rules(sources, policy),
        *_same_harm_at_service(facts, policy),
        *_risk_scores(people, policy, now, weights or {}),
        *_overdue_reviews(facts, policy, now),
    ]


def _person_windows(people: dict[str, list[Fact]], policy) -> list[Trigger]:
    """The window rules about one person's concerns."""
    triggers: list[Trigger] = []
    rule = policy.cumulative
    if rule.enabled:
        triggers += _count_rule("cumulative", people, rule.days, lambda n, *_: n >= rule.concerns)
    rule = policy.cross_team
    if rule.enabled:
        # Teams and services both count: two services' teams are two teams anyway.
        triggers += _count_rule(
            "cross_team",
            people,
            rule.days,
            lambda n, tally, *_: len(tally) >= rule.teams,
            keys=lambda f: (f"team:{f.team_id}",),
        )
    rule = policy.refused_repeated
    if rule.enabled:
        refused = {s: [f for f in fs if f.refused] for s, fs in people.items()}
        triggers += _count_rule(
            "refused_repeated", refused, rule.days, lambda n, *_: n >= rule.concerns
        )
    rule = policy.unexplained_injuries
    if rule.enabled:
        injured = {s: [f for f in fs if f.unexplained_injury] for s, fs in people.items()}
        triggers += _count_rule(
            "unexplained_injuries", injured, rule.days, lambda n, *_: n >= rule.concerns
        )
    rule = policy.escalating_severity
    if rule.enabled:
        triggers += _count_rule(
            "escalating_severity",
            people,
            rule.days,
            lambda n, tally, fs, start, end: (
                len(tally) >= rule.concerns and _increasing(fs[start:end], rule.concerns)
            ),
            keys=lambda f: (f.severity,),
        )
    return triggers


def _source_rules(sources: dict[str, list[Fact]], policy) -> list[Trigger]:
    """The rules about one alleged source's concerns."""
    triggers: list[Trigger] = []
    rule = policy.common_source
    if rule.enabled:
        triggers += _count_rule(
            "common_source",
            sources,
            rule.days,
            lambda n, tally, *_: len(tally) >= rule.people,
            keys=lambda f: f.person_ids,
        )
    if policy.staff_implicated.enabled:
        for subject, fs in sources.items():
            if subject.startswith("source:staff:"):
                triggers.append(Trigger("staff_implicated", subject, frozenset(f.id for f in fs)))
    return triggers


def _same_harm_at_service(facts: list[Fact], policy) -> list[Trigger]:
    rule = policy.same_harm_at_service
    if not rule.enabled:
        return []
    harms = defaultdict(list)
    for f in facts:
        for category in f.categories:
            harms[f"service:{f.service_id}:{category}"].append(f)
    return _count_rule(
        "same_harm_at_service",
        harms,
        rule.days,
        lambda n, tally, *_: n >= rule.concerns and len(tally) >= rule.people,
        keys=lambda f: f.person_ids,
    )


def _risk_scores(people: dict[str, list[Fact]], policy, now, weights) -> list[Trigger]:
    rule = policy.risk_score
    if not rule.enabled:
        return []
    triggers = []
    for subject, fs in people.items():
        score, contributing = risk_score(fs, rule, now=now, category_weights=weights)
        if found := risk_trigger(subject, score, contributing, rule):
            triggers.append(found)
    return triggers


def _overdue_reviews(facts: list[Fact], policy, now) -> list[Trigger]:
    if not policy.overdue_review.enabled:
        return []
    return [
        Trigger("overdue_review", f"concern:{f.id}", frozenset([f.id]))
        for f in facts
        if not f.reviewed and f.review_due_at is not None and f.review_due_at < now
    ]


_RESTRICTED: dict = {}


def _restricted(policy, only):
    """The policy with every rule outside `only` switched off (kept per policy object
    and set of rules: this runs for every concern recorded)."""
    if only is None:
        return policy
    key = (id(policy), only)
    found = _RESTRICTED.get(key)
    if found is not None and found[0] is policy:
        return found[1]
    if len(_RESTRICTED) > 256:
        _RESTRICTED.clear()
    restricted = policy.model_copy(
        update={
            name: getattr(policy, name).model_copy(update={"enabled": False})
            for name in RULES
            if name not in only
        }
    )
    _RESTRICTED[key] = (policy, restricted)
    return restricted


def window_days(policy, rule: str) -> int | None:
    """The rule's window, for rules that have one."""
    return getattr(getattr(policy, rule, None), "days", None)


def risk_trigger(subject: str, score: float, contributing, rule) -> Trigger | None:
    """The risk-score trigger for a score already worked out, if it is over threshold."""
    if not rule.enabled or score < rule.threshold:
        return None
    return Trigger("risk_score", subject, frozenset(contributing), {"score": round(score, 2)})


def risk_score(facts: Iterable[Fact], rule, *, now: datetime, category_weights: dict[str, float]):
    """Each concern weighted by severity and its heaviest category, halving every
    half-life. Returns (score, ids of concerns still adding at least 1% of a point)."""
    score, contributing = 0.0, []
    for f in facts:
        age_days = max((now - f.occurred_at).total_seconds() / 86400, 0.0)
        category = max((category_weights.get(c, 1.0) for c in f.categories), default=1.0)
        points = (
            rule.severity_weights[f.severity] * category * 0.5 ** (age_days / rule.half_life_days)
        )
        score += points
        if points >= 0.01:
            contributing.append(f.id)
    return score, contributing


WINDOW_RULES = {
    "person": PERSON_RULES - {"risk_score"},
    "source": SOURCE_RULES,
    "service": SERVICE_RULES,
}


def first_alerts(
    facts: Iterable[Fact],
    policy,
    *,
    weights: dict[str, float] | None = None,
    only: frozenset[str] | None = None,
) -> dict[tuple[str, str], tuple[datetime, frozenset[int]]]:
    """Replaying concerns in the order they happened (ties by id): for each (rule,
    subject) that would fire, the moment it first would have (when the concern that
    tipped it happened) and the concerns that set it off then. Overdue reviews are
    left out: they depend on when reviews happened, which facts do not replay."""
    weights = weights or {}
    wanted = {
        name
        for name in RULES
        if name != "overdue_review"
        and (only is None or name in only)
        and getattr(policy, name).enabled
    }
    families: dict[str, list[Fact]] = defaultdict(list)
    for f in in_time_order(facts):
        for pid in dict.fromkeys(f.person_ids):
            families[f"person:{pid}"].append(f)
        if f.source:
            families[f"source:{f.source}"].append(f)
        for category in dict.fromkeys(f.categories):
            families[f"service:{f.service_id}:{category}"].append(f)
    # Restrict once, not in every one of the many evaluations below.
    alone = {name: _restricted(policy, frozenset({name})) for name in wanted}
    together = {
        kind: _restricted(policy, frozenset(names & wanted)) for kind, names in WINDOW_RULES.items()
    }
    found = {}
    for subject, fs in families.items():
        kind = subject.split(":", 1)[0]
        rules = WINDOW_RULES[kind] & wanted
        if rules:
            # Whatever fires on the whole family fired first at some prefix, and
            # whatever does not never did (monotone), so search only those.
            firing = {
                f.rule
                for f in evaluate(fs, together[kind], now=fs[-1].occurred_at)
                if f.subject == subject
            }
            for name in firing:
                found[(name, subject)] = _first_prefix(fs, alone[name], name, subject)
        if kind == "person" and "risk_score" in wanted:
            first = _first_over_threshold(fs, policy.risk_score, weights)
            if first is not None:
                found[("risk_score", subject)] = first
    return found


def _first_prefix(fs: list[Fact], policy, rule: str, subject: str):
    """The shortest prefix of fs on which the rule fires for subject, by binary
    search (fs fires whole)."""

    def trigger(k):
        return next(
            (
                f
                for f in evaluate(fs[:k], policy, now=fs[k - 1].occurred_at)
                if f.rule == rule and f.subject == subject
            ),
            None,
        )

    low, high = 1, len(fs)
    while low < high:
        middle = (low + high) // 2
        if trigger(middle) is None:
            low = middle + 1
        else:
            high = middle
    return fs[low - 1].occurred_at, trigger(low).concern_ids


def _first_over_threshold(fs: list[Fact], rule, weights):
    """One pass: the score when each concern happens is the last score faded by the
    time between them plus the new concern's points."""
    score, previous = 0.0, None
    for i, f in enumerate(fs):
        if previous is not None:
            days = (f.occurred_at - previous).total_seconds() / 86400
            score *= 0.5 ** (max(days, 0.0) / rule.half_life_days)
        category = max((weights.get(c, 1.0) for c in f.categories), default=1.0)
        score += rule.severity_weights[f.severity] * category
        previous = f.occurred_at
        # Near the threshold, settle it exactly as evaluate() would add it up.
        if score >= rule.threshold * (1 - 1e-9):
            exact, contributing = risk_score(
                fs[: i + 1], rule, now=f.occurred_at, category_weights=weights
            )
            if exact >= rule.threshold:
                return f.occurred_at, frozenset(contributing)
    return None
