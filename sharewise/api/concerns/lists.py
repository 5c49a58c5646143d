"""Lists of concerns (filtered by person, dates, status, team), the review queue, and a
person's chronology: what the pages list, through concerns.access."""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.utils import timezone
from ninja import Query

from sharewise.api.concerns import router
from sharewise.api.concerns.out import summaries
from sharewise.api.concerns.schemas import ChronologyEntryOut, ChronologyOut, ConcernPage
from sharewise.api.inputs import Day
from sharewise.audittrail import trail
from sharewise.concerns import chronology, recording
from sharewise.concerns.access import concerns_listed, review_queue_for
from sharewise.organisations.access import scope_for
from sharewise.people.access import get_person_for

# "from" and "to" are Python words, so the parameters take them as aliases.
SINCE = Query(None, alias="from", description="Occurred on or after this day (YYYY-MM-DD)")
UNTIL = Query(None, alias="to", description="Occurred on or before this day (YYYY-MM-DD)")


def _page(request, concerns, page, page_size, action, filters) -> ConcernPage:
    paginator = Paginator(concerns, page_size)
    current = paginator.get_page(page)
    results = summaries(current.object_list, request.user, timezone.now())
    trail.record_request(
        request,
        action,
        object_type="concern list",
        organisation_id=scope_for(request.user).organisation_id,
        detail={**filters, "shown": [r.id for r in results], "via": "api"},
    )
    return ConcernPage(
        count=paginator.count, page=current.number, pages=paginator.num_pages, results=results
    )


@router.get("/concerns", response=ConcernPage, summary="Concerns you may see, filtered")
def list_concerns(
    request,
    person_id: int | None = Query(
        None, description="Only concerns about this person (and records merged into theirs)"
    ),
    since: Day | None = SINCE,
    until: Day | None = UNTIL,
    status: str | None = Query(
        None,
        description="open or awaiting_review (not yet reviewed), overdue (past its review "
        "date, not reviewed) or reviewed",
    ),
    team_id: int | None = Query(None, description="Where it happened: a team's id"),
    service_id: int | None = Query(None, description="Where it happened: a service's id"),
    team: int | None = Query(None, description="The same as team_id"),
    service: int | None = Query(None, description="The same as service_id"),
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=200),
):
    """Newest first. A person filter answers 404 for someone you may not see, and the
    read is written to their audit trail."""
    filters = {
        "person_id": person_id,
        "from": since.isoformat() if since else None,
        "to": until.isoformat() if until else None,
        "status": status,
        "team": team_id if team_id is not None else team,
        "service": service_id if service_id is not None else service,
    }
    concerns = concerns_listed(
        request,
        person_id=person_id,
        since=since,
        until=until,
        status=status,
        team_id=filters["team"],
        service_id=filters["service"],
        via="api",
    )
    concerns = (
        concerns.select_related("service", "team", "review")
        .prefetch_related("people")
        .order_by("-occurred_at", "-id")
    )
    return _page(request, concerns, page, page_size, "listed concerns", filters)


@router.get(
    "/concerns/awaiting-review",
    response=ConcernPage,
    summary="Concerns waiting for your review (team managers and leads)",
)
def review_queue(request, page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)):
    """The review queue the Reviews page shows: soonest due first."""
    concerns = (
        review_queue_for(request.user)
        .select_related("service", "team", "review")
        .prefetch_related("people")
        .order_by("review_due_at", "id")
    )
    return _page(request, concerns, page, page_size, "listed concerns awaiting review", {})


@router.get(
    "/people/{person_id}/chronology",
    response=ChronologyOut,
    summary="A person's chronology across services, teams and shifts",
)
def person_chronology(
    request,
    person_id: int,
    category: str | None = None,
    service: int | None = None,
    team: int | None = None,
    since: Day | None = None,
    until: Day | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(100, ge=1, le=1000),
):
    """Newest first, a page at a time: count and pages say how many there are."""
    person = get_person_for(request, person_id, action="viewed chronology", via="api")
    _, policy = recording.policy_for(person.organisation_id)
    filters = chronology.Filters(
        categories=frozenset([category]) if category else frozenset(),
        service_id=service,
        team_id=team,
        since=since,
        until=until,
    )
    concerns = chronology.concerns_for(chronology.person_ids_for(person), request.user, filters)
    count, teams, services = chronology.seen(concerns)
    timeline = chronology.Timeline(
        concerns,
        chronology.others_for(request, person, filters),
        policy.category_labels(),
        policy.shift_labels(),
        concern_count=count,
    )
    shown = Paginator(timeline, page_size).get_page(page)
    # Build the JSON directly rather than validate each entry through pydantic (the
    # schema above still documents it).
    fields = [f for f in ChronologyEntryOut.model_fields if f not in ("at", "title", "url")]
    out = []
    for e in shown.object_list:
        item = {k: getattr(e, k) for k in fields}
        item["at"] = e.at.isoformat()
        if "title" in e.detail:  # consent, capacity, sharing decisions
            item["title"], item["url"] = e.detail["title"], e.detail["url"]
        out.append(item)
    return JsonResponse(
        {
            "person_id": person.pk,
            "concerns": count,
            "teams": teams,
            "services": services,
            "count": shown.paginator.count,
            "page": shown.number,
            "pages": shown.paginator.num_pages,
            "entries": out,
        }
    )
