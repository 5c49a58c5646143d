"""Concerns from the database as the plain facts the rules read, as they stand now
(amendments applied)."""

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sharewise.concerns.models import Amendment, Concern, ConcernPerson, Review
from sharewise.patterns.rules import Fact

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
    "imported",
)


def load(concerns, *, with_reviews: bool = False) -> dict[int, Fact]:
    """Facts for a queryset of concerns, in three queries whatever its size."""
    query = concerns.order_by().values(*COLUMNS)
    if with_reviews:
        query = query.annotate(reviewed=Exists(Review.objects.filter(concern_id=OuterRef("pk"))))
    rows = {row["id"]: row for row in query}
    if not rows:
        return {}
    ids = concerns.order_by().values("pk")
    people: dict[int, list[int]] = {}
    for concern_id, person_id in ConcernPerson.objects.filter(concern_id__in=ids).values_list(
        "concern_id", "person_id"
    ):
        people.setdefault(concern_id, []).append(person_id)
    for concern_id, changes in (
        Amendment.objects.filter(concern_id__in=ids)
        .order_by("amended_at", "id")
        .values_list("concern_id", "changes")
    ):
        row = rows.get(concern_id)
        if row is not None:
            for name, change in changes.items():
                if name in row:
                    row[name] = change["to"]
    return {pk: _fact(row, people.get(pk, ())) for pk, row in rows.items()}


def _fact(row, person_ids) -> Fact:
    occurred = row["occurred_at"]
    if isinstance(occurred, str):  # amended: stored as ISO text
        occurred = parse_datetime(occurred)
    source = None
    if row["source_kind"] == "staff" and row["source_staff_id"]:
        source = f"staff:{row['source_staff_id']}"
    elif row["source_kind"] == "person_supported" and row["source_person_id"]:
        source = f"person:{row['source_person_id']}"
    due = row["review_due_at"]
    return Fact(
        id=row["id"],
        occurred_at=timezone.localtime(occurred),
        person_ids=tuple(sorted(person_ids)),
        team_id=row["team_id"],
        service_id=row["service_id"],
        categories=tuple(row["categories"] or ()),
        severity=row["severity"],
        refused=row["sharing_view"] == "refuses",
        unexplained_injury=row["injury"] == "unexplained",
        source=source,
        review_due_at=timezone.localtime(due) if due else None,
        reviewed=row.get("reviewed", True) or row["imported"],
        shift=row["shift"],
    )


def about_people(person_ids) -> dict[int, Fact]:
    return load(
        Concern.objects.filter(
            pk__in=ConcernPerson.objects.filter(person_id__in=person_ids).values("concern_id")
        )
    )


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


def at_service(service_id, categories, start, end) -> dict[int, Fact]:
    """Concerns at one service between two moments in any of these categories."""
    from django.db.models import Q

    match = Q()
    for code in categories:
        match |= Q(categories__icontains=f'"{code}"')
    return load(
        Concern.objects.filter(service_id=service_id, occurred_at__range=(start, end)).filter(match)
    )
