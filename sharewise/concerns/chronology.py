"""One timeline per person, whoever recorded what, across services, teams and shifts.

concerns_for() is the concerns a viewer may see; Timeline pages their concerns,
amendments and reviews in the database (a handful of queries per page, whatever the
length of the history) and describes only the page's entries; points() is what the
chart and the counts need of every concern."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, Q, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from sharewise.concerns.models import Amendment, Concern, ConcernPerson, Review, ReviewOutcome
from sharewise.concerns.recording import ANSWER_NAMES
from sharewise.days import on_days
from sharewise.organisations.models import Service, Team
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


def concerns_for(person_ids: list[int], viewer, filters: Filters = Filters()):
    """The concerns about these people that the viewer may see, filtered: a queryset,
    so counting, sorting and paging stay in the database."""
    links = ConcernPerson.objects.filter(person_id__in=person_ids).values("concern_id")
    concerns = Concern.objects.filter(pk__in=links).exclude(source_staff=viewer)
    if filters.service_id:
        concerns = concerns.filter(service_id=filters.service_id)
    if filters.team_id:
        concerns = concerns.filter(team_id=filters.team_id)
    if filters.categories:
        concerns = _in_categories(concerns, person_ids, filters.categories)
    return on_days(concerns, "occurred_at", filters.since, filters.until)


def _in_categories(concerns, person_ids, categories):
    if connection.vendor == "postgresql":
        return concerns.filter(_any_category(categories))
    # SQLite has no JSON containment: json_each over these people's concerns alone.
    people = ", ".join(["%s"] * len(person_ids))
    wanted = ", ".join(["%s"] * len(categories))
    link, concern = ConcernPerson._meta.db_table, Concern._meta.db_table
    # Table names from the models and placeholders only: the values go as parameters.
    sql = (
        f"SELECT l.concern_id FROM {link} l JOIN {concern} c ON c.id = l.concern_id, "  # noqa: S608
        f"json_each(c.categories) j WHERE l.person_id IN ({people}) AND j.value IN ({wanted})"
    )
    return concerns.filter(pk__in=RawSQL(sql, [*person_ids, *sorted(categories)]))  # noqa: S611


def _any_category(categories):
    either = Q()
    for category in sorted(categories):
        either |= Q(categories__contains=[category])
    return either


def points(concerns) -> list[tuple[datetime, str, str, str]]:
    """(when, severity, team and service, service) of every concern: what the chart,
    its table and the counts above the timeline need, and nothing more."""
    fields = ("occurred_at", "severity", "team_id", "service_id")
    found = _with_moments(concerns.order_by(), fields, "occurred_at", 0)
    # A few teams and services however many concerns: their names once, not per row.
    teams = dict(Team.objects.filter(pk__in={r[2] for r in found}).values_list("pk", "name"))
    services = dict(Service.objects.filter(pk__in={r[3] for r in found}).values_list("pk", "name"))
    return [
        (at, severity, f"{teams[team]}, {services[service]}", services[service])
        for at, severity, team, service in found
    ]


def seen(concerns) -> tuple[int, list[str], list[str]]:
    """How many concerns, and the teams (with their service) and services that recorded
    them, from one grouped query."""
    groups = concerns.order_by().values_list("team__name", "service__name").annotate(n=Count("pk"))
    return (
        sum(n for _, _, n in groups),
        sorted({f"{team}, {service}" for team, service, _ in groups}),
        sorted({service for _, service, _ in groups}),
    )


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


def _newest_first(item):
    """Newest first; at the same moment a review, an amendment, then its concern."""
    at, rank, concern_id, _, extra = item
    row = extra if isinstance(extra, int) else extra[0] if isinstance(extra, tuple) else 0
    return (at, -rank, concern_id, row)


class Timeline:
    """Every concern, amendment and review of some concerns, with what later apps add,
    newest first, as a sequence a Paginator can page. Its length is one count; a slice
    is sorted and cut in the database, and only the entries in it are fetched whole
    and described, however long the history."""

    def __init__(
        self, concerns, others=(), category_labels=None, shift_labels=None, concern_count=None
    ):
        self.concerns = concerns.order_by()
        self.concern_count = concern_count  # when the caller has counted them already
        self.others = sorted(
            ((o["at"], 3, 0, "other", o) for o in others), key=_newest_first, reverse=True
        )
        self.labels = (category_labels or {}, shift_labels or {})
        self._length = None

    def _keys(self):
        """(at, rank, concern id, row id) of every concern, amendment and review: at
        the same moment a review comes before an amendment, before its concern."""
        keys = {"rank": Value(0), "cid": F("concern_id"), "row": F("pk")}
        reviews = Review.objects.filter(concern__in=self.concerns).annotate(
            at=F("reviewed_at"), **keys
        )
        amendments = Amendment.objects.filter(concern__in=self.concerns).annotate(
            at=F("amended_at"), **{**keys, "rank": Value(1)}
        )
        concerns = self.concerns.annotate(
            at=F("occurred_at"), rank=Value(2), cid=F("pk"), row=F("pk")
        )
        fields = ("at", "rank", "cid", "row")
        return concerns.values_list(*fields).union(
            amendments.order_by().values_list(*fields),
            reviews.order_by().values_list(*fields),
            all=True,
        )

    def __len__(self) -> int:
        if self._length is None and self.concern_count is None:
            self._length = self._keys().count() + len(self.others)
        elif self._length is None:
            amendments = Amendment.objects.filter(concern__in=self.concerns).order_by()
            reviews = Review.objects.filter(concern__in=self.concerns).order_by()
            written = amendments.values("pk").union(reviews.values("pk"), all=True)
            self._length = self.concern_count + written.count() + len(self.others)
        return self._length

    def __getitem__(self, window: slice) -> list[Entry]:
        """The entries from window.start to window.stop. Up to len(others) of those
        before the start may be others, so the database's part begins that much
        earlier; merged, the n-th item is then the (first + n)-th of the whole."""
        start, stop = window.start or 0, window.stop if window.stop is not None else len(self)
        first = max(0, start - len(self.others))
        keys = list(self._keys().order_by("-at", "rank", "-cid", "-row")[first:stop])
        items, rows, names = _items(keys)
        merged = sorted(items + self.others, key=_newest_first, reverse=True)
        return describe(merged[start - first : stop - first], rows, names, *self.labels)


def _items(keys) -> tuple[list[tuple], list[Row], dict]:
    """Timeline items for these keys, with the rows of their concerns and the names
    of whoever recorded, amended or reviewed them."""
    wanted = {rank: [row for _, r, _, row in keys if r == rank] for rank in (0, 1, 2)}
    concern_ids = {cid for _, _, cid, _ in keys}
    rows = [
        Row._make(r)
        for r in Concern.objects.filter(pk__in=concern_ids).values_list(*CONCERN_FIELDS)
    ]
    amendments = Amendment.objects.filter(pk__in=wanted[1]).values_list(
        "pk", "concern_id", "amended_at", "amended_by_id", "reason", "changes"
    )
    reviews = Review.objects.filter(pk__in=wanted[0]).values_list(
        "pk", "concern_id", "reviewed_at", "reviewed_by_id", "outcome", "rationale"
    )
    items = [(r.occurred_at, 2, r.id, "concern", r.id) for r in rows if r.id in set(wanted[2])]
    items += [(at, 1, cid, "amendment", (pk, by, why, c)) for pk, cid, at, by, why, c in amendments]
    items += [(at, 0, cid, "review", (pk, by, o, why)) for pk, cid, at, by, o, why in reviews]
    user_ids = {r.recorded_by_id for r in rows} | {i[4][1] for i in items if i[1] < 2}
    names = {
        pk: (f"{first} {last}".strip() or username)
        for pk, first, last, username in get_user_model()
        .objects.filter(pk__in=user_ids)
        .values_list("pk", "first_name", "last_name", "username")
    }
    return items, rows, names


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
            by, reason, changes = extra[1:]
            answers = ", ".join(ANSWER_NAMES.get(c, c).lower() for c in sorted(changes))
            summary = f"Amended ({answers}): {reason}"
        else:
            by, outcome, rationale = extra[1:]
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
