"""One timeline per person, whoever recorded what, across services, teams and shifts.

fetch() does the queries (a handful, whatever the length of the history); assemble()
is plain Python over plain rows, so later features add their entries the same way."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from sharewise.concerns.models import Amendment, Concern, ConcernPerson, Review, ReviewOutcome
from sharewise.concerns.recording import ANSWER_NAMES
from sharewise.days import on_days
from sharewise.people import panels


@dataclass(frozen=True)
class Filters:
    categories: frozenset[str] = frozenset()
    service_id: int | None = None
    team_id: int | None = None
    since: date | None = None
    until: date | None = None


@dataclass
class Entry:
    kind: str  # concern, amendment, review
    at: datetime
    concern_id: int
    service: str
    team: str
    team_id: int
    shift: str
    severity: str
    categories: list[str]
    summary: str
    by: str
    detail: dict = field(default_factory=dict)


class Row(NamedTuple):
    """One concern as the chronology needs it."""

    id: int
    occurred_at: datetime
    service_id: int
    service: str
    team_id: int
    team: str
    shift: str
    severity: str
    categories: list
    facts: str
    recorded_by_id: int
    sharing_view: str

    @property
    def where(self) -> str:
        return f"{self.team}, {self.service}"


CONCERN_FIELDS = (
    "id",
    "occurred_at",
    "service_id",
    "service__name",
    "team_id",
    "team__name",
    "shift",
    "severity",
    "categories",
    "facts",
    "recorded_by_id",
    "sharing_view",
)


def fetch(person_ids: list[int], viewer, filters: Filters = Filters(), *, with_facts=True):
    """Rows for these people's concerns that the viewer may see, with their
    amendments and reviews: four queries however long the history. Without
    with_facts, what happened is left empty (a page adds it for the rows it shows:
    with_facts_for)."""
    links = ConcernPerson.objects.filter(person_id__in=person_ids).values("concern_id")
    concerns = Concern.objects.filter(pk__in=links).exclude(source_staff=viewer)
    if filters.service_id:
        concerns = concerns.filter(service_id=filters.service_id)
    if filters.team_id:
        concerns = concerns.filter(team_id=filters.team_id)
    concerns = on_days(concerns, "occurred_at", filters.since, filters.until)
    fields = CONCERN_FIELDS
    if not with_facts:
        concerns = concerns.annotate(no_facts=Value(""))
        fields = tuple("no_facts" if f == "facts" else f for f in CONCERN_FIELDS)
    rows = [Row._make(r) for r in _with_moments(concerns, fields, "occurred_at", 1)]
    if filters.categories:
        rows = [r for r in rows if filters.categories & set(r.categories)]
    if not rows:
        return [], [], [], {}
    ids = {r.id for r in rows}
    # A subquery, not a list of thousands of ids.
    amendments = [
        a
        for a in _with_moments(
            Amendment.objects.filter(concern__in=concerns),
            ("concern_id", "amended_at", "amended_by_id", "reason", "changes"),
            "amended_at",
            1,
        )
        if a[0] in ids
    ]
    reviews = [
        r
        for r in _with_moments(
            Review.objects.filter(concern__in=concerns),
            ("concern_id", "reviewed_at", "reviewed_by_id", "outcome", "rationale"),
            "reviewed_at",
            1,
        )
        if r[0] in ids
    ]
    user_ids = {r.recorded_by_id for r in rows} | {a[2] for a in amendments}
    user_ids |= {r[2] for r in reviews}
    names = {
        pk: (f"{first} {last}".strip() or username)
        for pk, first, last, username in get_user_model()
        .objects.filter(pk__in=user_ids)
        .values_list("pk", "first_name", "last_name", "username")
    }
    return rows, amendments, reviews, names


def _with_moments(queryset, fields, moment, position):
    """values_list(*fields), with the moment at `position` read as text on SQLite and
    parsed with fromisoformat: Django's own conversion of thousands of SQLite
    timestamps costs more than the query."""
    if connection.vendor != "sqlite":
        return list(queryset.values_list(*fields))
    names = [f"{moment}_text" if f == moment else f for f in fields]
    found = queryset.annotate(**{f"{moment}_text": Cast(moment, TextField())}).values_list(*names)
    return [
        (*r[:position], datetime.fromisoformat(r[position]).replace(tzinfo=UTC), *r[position + 1 :])
        for r in found
    ]


def with_facts_for(items, rows) -> list:
    """rows, with what happened filled in for the concerns among these timeline items."""
    wanted = {cid for _, _, cid, kind, _ in items if kind == "concern"}
    facts = dict(Concern.objects.filter(pk__in=wanted).values_list("pk", "facts"))
    return [r._replace(facts=facts[r.id]) if r.id in facts else r for r in rows]


def timeline(rows, amendments, reviews, others=()) -> list[tuple]:
    """Every concern, amendment and review as light (when, kind, concern id, extra)
    items, newest first: cheap enough to sort thousands before describing a page.
    others: entries later apps add (dicts with at, kind, title, summary, by, url)."""
    items = [(r.occurred_at, 2, r.id, "concern", None) for r in rows]
    items += [(o["at"], 3, 0, "other", o) for o in others]
    items += [
        (at, 1, cid, "amendment", (by, reason, changes))
        for cid, at, by, reason, changes in amendments
    ]
    items += [
        (at, 0, cid, "review", (by, outcome, rationale))
        for cid, at, by, outcome, rationale in reviews
    ]
    items.sort(key=lambda i: (i[0], -i[1], i[2]), reverse=True)
    return items


def describe(items, rows, names, category_labels, shift_labels) -> list[Entry]:
    """Entries, in words, for timeline items (all of them, or one page)."""
    by_id = {r.id: r for r in rows}
    outcomes = {value: label.lower() for value, label in ReviewOutcome.choices}
    shifts = {}  # concern id -> shift label, worked out once per concern
    entries = []
    for at, _, cid, kind, extra in items:
        if kind == "other":
            entries.append(
                Entry(
                    extra["kind"],
                    at,
                    0,
                    "",
                    "",
                    0,
                    "",
                    "",
                    [],
                    extra["summary"],
                    extra["by"],
                    extra,
                )
            )
            continue
        r = by_id[cid]
        categories, detail, by = [], {}, r.recorded_by_id
        if kind == "concern":
            summary = r.facts if len(r.facts) <= 240 else r.facts[:237] + "…"
            categories = [category_labels.get(c, c) for c in r.categories]
            detail = {"sharing_view": r.sharing_view}
        elif kind == "amendment":
            by, reason, changes = extra
            answers = ", ".join(ANSWER_NAMES.get(c, c).lower() for c in sorted(changes))
            summary = f"Amended ({answers}): {reason}"
        else:
            by, outcome, rationale = extra
            summary = f"Reviewed: {outcomes.get(outcome, outcome)}. {rationale}"
        shift = shifts.get(cid)
        if shift is None:
            shift = shifts[cid] = shift_labels.get(r.shift, r.shift)
        entries.append(
            Entry(
                kind,
                at,
                cid,
                r.service,
                r.team,
                r.team_id,
                shift,
                r.severity,
                categories,
                summary,
                names.get(by, ""),
                detail,
            )
        )
    return entries


def assemble(
    rows, amendments, reviews, names, category_labels, shift_labels, others=()
) -> list[Entry]:
    """The whole chronology in words, newest first."""
    items = timeline(rows, amendments, reviews, others)
    return describe(items, rows, names, category_labels, shift_labels)


def others_for(request, person, filters: Filters) -> list[dict]:
    """What later apps add to the timeline (consent, capacity, sharing decisions), within
    the dates filtered on; none when filtering by category, service or team, which
    those entries do not have."""
    if filters.categories or filters.service_id or filters.team_id:
        return []
    return [
        o
        for o in panels.timeline_entries(request, person_ids_for(person))
        if (not filters.since or timezone.localdate(o["at"]) >= filters.since)
        and (not filters.until or timezone.localdate(o["at"]) <= filters.until)
    ]


def person_ids_for(person) -> list[int]:
    """The person and any records merged into theirs: one history, however recorded."""
    merged = getattr(person, "merged_ids", None)
    return [person.pk, *(merged() if callable(merged) else [])]
