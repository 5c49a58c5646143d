"""One timeline per person, whoever recorded what, across services, teams and shifts.

fetch() does the queries (a handful, whatever the length of the history); assemble()
is plain Python over plain rows, so later features add their entries the same way."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model

from sharewise.concerns.models import Amendment, Concern, ConcernPerson, Review, ReviewOutcome
from sharewise.concerns.recording import ANSWER_NAMES


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


CONCERN_FIELDS = (
    "id",
    "occurred_at",
    "recorded_at",
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
    "source_staff_id",
)


def fetch(person_ids: list[int], viewer, filters: Filters = Filters()):
    """Rows for these people's concerns that the viewer may see, with their
    amendments and reviews."""
    links = ConcernPerson.objects.filter(person_id__in=person_ids).values("concern_id")
    concerns = Concern.objects.filter(pk__in=links).exclude(source_staff=viewer)
    if filters.service_id:
        concerns = concerns.filter(service_id=filters.service_id)
    if filters.team_id:
        concerns = concerns.filter(team_id=filters.team_id)
    if filters.since:
        concerns = concerns.filter(occurred_at__date__gte=filters.since)
    if filters.until:
        concerns = concerns.filter(occurred_at__date__lte=filters.until)
    rows = list(concerns.values_list(*CONCERN_FIELDS))
    if filters.categories:
        rows = [r for r in rows if filters.categories & set(r[9])]
    ids = [r[0] for r in rows]
    amendments = (
        list(
            Amendment.objects.filter(concern_id__in=ids).values_list(
                "concern_id", "amended_at", "amended_by_id", "reason", "changes"
            )
        )
        if ids
        else []
    )
    reviews = (
        list(
            Review.objects.filter(concern_id__in=ids).values_list(
                "concern_id", "reviewed_at", "reviewed_by_id", "outcome", "rationale"
            )
        )
        if ids
        else []
    )
    user_ids = {r[11] for r in rows} | {a[2] for a in amendments} | {r[2] for r in reviews}
    names = {
        pk: (f"{first} {last}".strip() or username)
        for pk, first, last, username in get_user_model()
        .objects.filter(pk__in=user_ids)
        .values_list("pk", "first_name", "last_name", "username")
    }
    return rows, amendments, reviews, names


def assemble(rows, amendments, reviews, names, category_labels, shift_labels) -> list[Entry]:
    """Every concern, amendment and review as one list, newest first."""
    by_id = {r[0]: r for r in rows}
    entries = []
    for r in rows:
        (
            cid,
            occurred,
            _recorded,
            _sid,
            service,
            team_id,
            team,
            shift,
            severity,
            categories,
            facts,
            by,
            sharing_view,
            _source,
        ) = r
        entries.append(
            Entry(
                kind="concern",
                at=occurred,
                concern_id=cid,
                service=service,
                team=team,
                team_id=team_id,
                shift=shift_labels.get(shift, shift),
                severity=severity,
                categories=[category_labels.get(c, c) for c in categories],
                summary=facts if len(facts) <= 240 else facts[:237] + "…",
                by=names.get(by, ""),
                detail={"sharing_view": sharing_view},
            )
        )
    for cid, at, by, reason, changes in amendments:
        r = by_id[cid]
        entries.append(
            Entry(
                kind="amendment",
                at=at,
                concern_id=cid,
                service=r[4],
                team=r[6],
                team_id=r[5],
                shift=shift_labels.get(r[7], r[7]),
                severity=r[8],
                categories=[],
                summary=f"Amended ({', '.join(ANSWER_NAMES.get(c, c).lower() for c in sorted(changes))}): {reason}",
                by=names.get(by, ""),
            )
        )
    for cid, at, by, outcome, rationale in reviews:
        r = by_id[cid]
        entries.append(
            Entry(
                kind="review",
                at=at,
                concern_id=cid,
                service=r[4],
                team=r[6],
                team_id=r[5],
                shift=shift_labels.get(r[7], r[7]),
                severity=r[8],
                categories=[],
                summary=f"Reviewed: {ReviewOutcome(outcome).label.lower()}. {rationale}",
                by=names.get(by, ""),
            )
        )
    entries.sort(key=lambda e: (e.at, e.kind != "concern", e.concern_id), reverse=True)
    return entries


def person_ids_for(person) -> list[int]:
    """The person and any records merged into theirs: one history, however recorded."""
    merged = getattr(person, "merged_ids", None)
    return [person.pk, *(merged() if callable(merged) else [])]
