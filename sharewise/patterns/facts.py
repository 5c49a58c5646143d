"""Concerns from the database as the plain facts the rules read, as they stand now
(amendments applied)."""

import json
from datetime import UTC, datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection

from sharewise.concerns.models import Amendment, Concern, ConcernPerson
from sharewise.patterns.engine import Fact

COLUMNS = (
    "id",
    "occurred_at",
    "team_id",
    "service_id",
    "categories",
    "severity",
    "sharing_view",
    "injury",
    "source_kind",
    "source_staff_id",
    "source_person_id",
    "review_due_at",
    "shift",
)


CHUNK = 2_000


def load(concerns, *, fresh: bool = False) -> dict[int, Fact]:
    """Facts for a queryset of concerns: one row per concern and person it is about,
    then amendments for the concerns that have some (none when `fresh`: just
    recorded). Plain SQL around the caller's query: this runs for every concern
    recorded, and building the same join through the ORM costs more than running it."""
    try:
        inner, params = concerns.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing, such as pk__in=[]
        return {}
    columns = ", ".join(_select(name) for name in COLUMNS)
    amended = "0"
    if not fresh:
        amended = "EXISTS (SELECT 1 FROM " + _AMENDMENT + " a WHERE a.concern_id = c.id)"  # noqa: S608
    sql = (
        f"SELECT p.person_id, {amended}, {columns} FROM {_LINK} p "  # noqa: S608
        f"JOIN {_CONCERN} c ON c.id = p.concern_id WHERE p.concern_id IN ({inner})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    rows: dict[int, dict] = {}
    people: dict[int, list[int]] = {}
    changed = set()
    for person_id, has_amendments, *values in found:
        concern_id = values[0]
        if concern_id not in rows:
            rows[concern_id] = dict(zip(COLUMNS, values, strict=True))
            if has_amendments:
                changed.add(concern_id)
        people.setdefault(concern_id, []).append(person_id)
    if changed:
        _amend(rows, changed)
    return {pk: _fact(row, people[pk]) for pk, row in rows.items()}


def by_ids(ids) -> dict[int, Fact]:
    """Facts for these concerns, however many (in chunks, within SQLite's limit on
    parameters)."""
    ids = sorted(set(ids))
    facts: dict[int, Fact] = {}
    for start in range(0, len(ids), CHUNK):
        facts |= load(Concern.objects.filter(pk__in=ids[start : start + CHUNK]))
    return facts


def _column(name: str) -> str:
    field = Concern._meta.get_field(name[:-3] if name.endswith("_id") else name)
    return field.column


def _select(name: str) -> str:
    column = "c." + connection.ops.quote_name(_column(name))
    # SQLite keeps moments as text, and the driver's conversion is slow for the
    # thousands a re-scoring reads: take the text and parse it with fromisoformat.
    if name.endswith("_at") and connection.vendor == "sqlite":
        return f"CAST({column} AS TEXT)"
    return column


_CONCERN = connection.ops.quote_name(Concern._meta.db_table)
_LINK = connection.ops.quote_name(ConcernPerson._meta.db_table)
_AMENDMENT = connection.ops.quote_name(Amendment._meta.db_table)


def moment(value):
    """A stored moment as an aware datetime (SQLite hands plain SQL naive ones, or text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def _amend(rows, amended) -> None:
    """Apply amendments in the order they were made (by id, in chunks: repeating the
    caller's filter as a subquery would cost more)."""
    changed = []
    ids = sorted(amended)
    for start in range(0, len(ids), CHUNK):
        changed += Amendment.objects.filter(concern_id__in=ids[start : start + CHUNK]).values_list(
            "amended_at", "id", "concern_id", "changes"
        )
    for _, _, concern_id, changes in sorted(changed, key=lambda c: (c[0], c[1])):
        row = rows[concern_id]
        for name, change in changes.items():
            if name in row:
                row[name] = change["to"]


def _fact(row, person_ids) -> Fact:
    occurred = moment(row["occurred_at"])  # amended ones are ISO text
    source = None
    if row["source_kind"] == "staff" and row["source_staff_id"]:
        source = f"staff:{row['source_staff_id']}"
    elif row["source_kind"] == "person_supported" and row["source_person_id"]:
        source = f"person:{row['source_person_id']}"
    due = moment(row["review_due_at"])
    categories = row["categories"]
    if isinstance(categories, str):
        categories = json.loads(categories)
    return Fact(
        id=row["id"],
        occurred_at=occurred,
        person_ids=tuple(sorted(person_ids)),
        team_id=row["team_id"],
        service_id=row["service_id"],
        categories=tuple(categories or ()),
        severity=row["severity"],
        refused=row["sharing_view"] == "refuses",
        unexplained_injury=row["injury"] == "unexplained",
        source=source,
        review_due_at=due,
        reviewed=True,
        shift=row["shift"],
    )


def of_concern(concern, person_ids) -> Fact:
    """The fact for a concern just recorded, from the object in hand (no query)."""
    return _fact({name: getattr(concern, name) for name in COLUMNS}, person_ids)


def about_people(person_ids) -> dict[int, Fact]:
    person_ids = sorted(set(person_ids))
    facts: dict[int, Fact] = {}
    for start in range(0, len(person_ids), CHUNK):
        chunk = person_ids[start : start + CHUNK]
        facts |= load(Concern.objects.filter(links__person_id__in=chunk))
    return facts


def from_sources(sources) -> dict[int, Fact]:
    """sources: "staff:3" / "person:7" strings."""
    staff = [int(s.split(":")[1]) for s in sources if s.startswith("staff:")]
    people = [int(s.split(":")[1]) for s in sources if s.startswith("person:")]
    facts = {}
    if staff:
        facts |= load(Concern.objects.filter(source_staff_id__in=staff))
    if people:
        facts |= load(Concern.objects.filter(source_person_id__in=people))
    return facts
