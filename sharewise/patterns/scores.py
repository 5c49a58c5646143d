"""A person's risk score: worked out and kept when their concerns are judged, and
read as one reader may see it.

The stored score (RiskScore) adds up every concern about the person, and serves
everyone it can: pages stay fast. A reader named as the alleged source in one of the
person's concerns must not learn of it from the figure, so for them (rare) the score
is worked out afresh without the concerns hidden from them."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models.functions import Coalesce
from django.utils import timezone

from sharewise.concerns.models import Amendment, Concern, ConcernPerson
from sharewise.patterns import engine, plain_sql
from sharewise.patterns import facts as factstore
from sharewise.patterns.models import RiskScore
from sharewise.people.models import Person
from sharewise.policy import store

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


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
    """Work out and keep each person's risk score (ctx: judging.Context); returns the
    risk-score triggers for those over the threshold."""
    rule = ctx.policy.risk_score
    by_person = defaultdict(list)
    for f in family.values():
        for pid in f.person_ids:
            by_person[pid].append(f)
    scored = {
        pid: engine.risk_score(
            by_person.get(pid, []), rule, now=ctx.at, category_weights=ctx.weights
        )
        for pid in people
    }
    if len(people) == 1:  # the usual case, on every concern: one plain update
        pid = people[0]
        values = _score_values(ctx, rule, *scored[pid])
        if not plain_sql.update_score(pid, values):
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
        if (found := engine.risk_trigger(f"person:{pid}", score, contributing, rule))
    ]


def _score_values(ctx, rule, score, contributing) -> dict:
    return {
        "organisation_id": ctx.organisation_id,
        "score": score,
        "scored_at": ctx.at,
        "half_life_days": rule.half_life_days,
        "level": level(score, ctx.at, rule.half_life_days),
        "policy_version_id": ctx.version.pk,
        "concern_ids": sorted(contributing),
    }


@dataclass(frozen=True)
class SeenScore:
    """A person's risk score for one reader: faded to `at`."""

    person_id: int
    score: float
    scored_at: datetime | None
    half_life_days: float | None
    concern_ids: tuple[int, ...]  # the concerns adding to it when last worked out
    level: float | None  # ranks people by score at any moment (see RiskScore.level)


def hidden_concerns(viewer, person_ids) -> dict[int, set[int]]:
    """{person id: ids of concerns about them naming the viewer as the alleged source}
    (one indexed query; empty for nearly everyone)."""
    if viewer is None or getattr(viewer, "pk", None) is None or not person_ids:
        return {}
    hidden = defaultdict(set)
    for person_id, concern_id in ConcernPerson.objects.filter(
        person_id__in=list(person_ids), concern__source_staff_id=viewer.pk
    ).values_list("person_id", "concern_id"):
        hidden[person_id].add(concern_id)
    return dict(hidden)


def risk_scores_seen_by(viewer, people, at=None) -> dict[int, SeenScore]:
    """{person id: SeenScore} for these people (Person objects) as the viewer may see
    them; people with no score are left out. viewer None: the stored scores."""
    at = at or timezone.now()
    people = list(people)
    if not people:
        return {}
    records = {p.pk: [p.pk] for p in people}
    for merged, kept in Person.objects.filter(merged_into__in=list(records)).values_list(
        "pk", "merged_into_id"
    ):
        records[kept].append(merged)
    owner = {rid: p for p, ids in records.items() for rid in ids}
    hidden = hidden_concerns(viewer, owner)
    unseen = defaultdict(set)  # kept record -> hidden concerns about any of its records
    for rid, ids in hidden.items():
        unseen[owner[rid]] |= ids
    seen = {}
    rows = sorted(
        RiskScore.objects.filter(person_id__in=list(owner)),
        key=lambda r: (r.person_id != owner[r.person_id], r.person_id),
    )
    for row in rows:  # a person's own row first, then those of records merged into it
        pid = owner[row.person_id]
        if pid in unseen or pid in seen:
            continue
        seen[pid] = SeenScore(
            pid,
            row.now(at),
            row.scored_at,
            row.half_life_days,
            tuple(row.concern_ids),
            row.level,
        )
    for pid, ids in unseen.items():
        person = next(p for p in people if p.pk == pid)
        score = _worked_out(person, records[pid], ids, at)
        if score is not None:
            seen[pid] = score
    return seen


def risk_seen_by(viewer, person, at=None) -> SeenScore | None:
    """One person's risk score as the viewer may see it, or None with no score."""
    return risk_scores_seen_by(viewer, [person], at).get(person.pk)


def risk_score_seen_by(person, viewer, at=None) -> float:
    """The person's risk score now (or at `at`), faded, unrounded, as the viewer may
    see it: 0.0 with no concerns counted. viewer None: the stored score."""
    found = risk_seen_by(viewer, person, at)
    return found.score if found else 0.0


def _worked_out(person, record_ids, hidden, at) -> SeenScore | None:
    """The score from the concerns about the person the reader may see, worked out as
    the stored one is (save_scores), at `at`."""
    _, patterns = store.in_force(person.organisation_id, "patterns")
    _, recording = store.in_force(person.organisation_id, "recording")
    rule = patterns.risk_score
    known = [f for f in factstore.about_people(record_ids).values() if f.id not in hidden]
    if not known:
        return None
    weights = {c.code: c.weight for c in recording.categories}
    score, contributing = engine.risk_score(known, rule, now=at, category_weights=weights)
    # When it was last worked out, as far as this reader can tell: the latest of the
    # records they may see about the person.
    ids = [f.id for f in known]
    moments = list(Concern.objects.filter(pk__in=ids).values_list("recorded_at", flat=True))
    moments += list(
        Amendment.objects.filter(concern_id__in=ids).values_list("amended_at", flat=True)
    )
    return SeenScore(
        person.pk,
        score,
        max(moments),
        rule.half_life_days,
        tuple(sorted(contributing)),
        level(score, at, rule.half_life_days),
    )


def split_for(viewer, rows, at=None):
    """(the stored rows the viewer may read as they are, [SeenScore] worked out afresh
    for the people among `rows` with a concern naming the viewer). rows: a RiskScore
    queryset already limited to people the viewer may see."""
    at = at or timezone.now()
    if viewer is None or getattr(viewer, "pk", None) is None:
        return rows, []
    named = ConcernPerson.objects.filter(concern__source_staff_id=viewer.pk).values("person_id")
    kept = set(
        Person.objects.filter(pk__in=named)
        .annotate(kept=Coalesce("merged_into_id", "pk"))
        .values_list("kept", flat=True)
    )
    if not kept:
        return rows, []
    people = [r.person for r in rows.filter(person_id__in=kept).select_related("person")]
    seen = risk_scores_seen_by(viewer, people, at)
    return rows.exclude(person_id__in=kept), [seen[p.pk] for p in people if p.pk in seen]
