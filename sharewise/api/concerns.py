from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from sharewise.api.inputs import Day, Input, moment_problem
from sharewise.audittrail import trail
from sharewise.concerns import chronology, recording
from sharewise.concerns.access import get_concern_for
from sharewise.concerns.models import Concern
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Team
from sharewise.people.access import get_person_for
from sharewise.people.models import Person

router = Router(tags=["Concerns"])


class ConcernIn(Input):
    person_ids: list[int]
    occurred_at: datetime
    team_id: int
    shift: str = ""
    categories: list[str]
    risk_indicators: list[str] = Field(
        [],
        description="The quick risk questions that apply, by code from the recording "
        "policy's risk_indicators (children, others_reachable, crime, coercion, "
        'serious_harm_now, source_works_for_us by default), or ["none"] when none does',
    )
    information_source: str
    reported_by: str = ""
    facts: str = ""
    persons_words: str = ""
    persons_wishes: str = ""
    sharing_view: str
    sharing_view_reason: str = ""
    injury: str = "none"
    injury_location: str = ""
    source_kind: str = "unknown"
    source_staff_id: int | None = None
    source_person_id: int | None = None
    source_description: str = ""
    immediate_action: str = ""
    who_was_told: str = ""
    severity: str
    external_ref: str = ""


class StandardOut(Schema):
    code: str
    message: str


class ConcernAmendmentOut(Schema):
    id: int
    amended_at: datetime
    amended_by: str
    reason: str
    changes: dict


class ReviewOut(Schema):
    reviewed_at: datetime
    reviewed_by: str
    outcome: str
    rationale: str


class ConcernOut(Schema):
    id: int
    person_ids: list[int]
    recorded_at: datetime
    recorded_by: str
    occurred_at: datetime
    service_id: int
    service: str
    team_id: int
    team: str
    shift: str
    categories: list[str]
    risk_indicators: list[str]
    severity: str
    sharing_view: str
    facts: str
    persons_words: str
    persons_wishes: str
    immediate_action: str
    who_was_told: str
    injury: str
    injury_location: str
    information_source: str
    source_kind: str
    source_staff_id: int | None
    source_person_id: int | None
    source_description: str
    unmet_standards: list[StandardOut]
    review_due_at: datetime
    overdue: bool
    policy_version: int
    current: dict
    amendments: list[ConcernAmendmentOut]
    review: ReviewOut | None


def _name(user):
    return user.get_full_name() or user.username


def _concern_out(concern: Concern, viewer) -> ConcernOut:
    _, policy = recording.policy_for(concern.organisation_id)
    messages = {s.code: s.message for s in policy.standards}
    people = set(concern.people.values_list("pk", flat=True))
    people.add(concern.source_person_id)
    amendments = list(concern.amendments.select_related("amended_by"))
    for a in amendments:
        if "source_person" in a.changes:
            people |= {a.changes["source_person"]["from"], a.changes["source_person"]["to"]}
    # Nobody's id is given to a reader who may not see them.
    visible = set(
        Person.objects.visible_to(viewer, include_merged=True)
        .filter(pk__in=people - {None})
        .values_list("pk", flat=True)
    )

    def seen(pk):
        return pk if pk in visible else None

    review = getattr(concern, "review", None)
    current = recording.current(concern)
    current["occurred_at"] = str(current["occurred_at"])
    current["source_person"] = seen(current["source_person"])
    return ConcernOut(
        id=concern.pk,
        person_ids=sorted(
            pk for pk in concern.people.values_list("pk", flat=True) if pk in visible
        ),
        recorded_at=concern.recorded_at,
        recorded_by=_name(concern.recorded_by),
        occurred_at=concern.occurred_at,
        service_id=concern.service_id,
        service=concern.service.name,
        team_id=concern.team_id,
        team=concern.team.name,
        shift=concern.shift,
        categories=concern.categories,
        risk_indicators=concern.risk_indicators,
        severity=concern.severity,
        sharing_view=concern.sharing_view,
        facts=concern.facts,
        persons_words=concern.persons_words,
        persons_wishes=concern.persons_wishes,
        immediate_action=concern.immediate_action,
        who_was_told=concern.who_was_told,
        injury=concern.injury,
        injury_location=concern.injury_location,
        information_source=concern.information_source,
        source_kind=concern.source_kind,
        # As recorded, like every answer here; `current` holds who is named now.
        source_staff_id=recording.as_recorded(concern, "source_staff"),
        source_person_id=seen(recording.as_recorded(concern, "source_person")),
        source_description=concern.source_description,
        unmet_standards=[
            StandardOut(code=c, message=messages.get(c, c)) for c in concern.unmet_standards
        ],
        review_due_at=concern.review_due_at,
        overdue=concern.is_overdue,
        policy_version=concern.policy_version.version,
        current=current,
        amendments=[
            ConcernAmendmentOut(
                id=a.pk,
                amended_at=a.amended_at,
                amended_by=_name(a.amended_by),
                reason=a.reason,
                changes={
                    name: {side: seen(v) for side, v in change.items()}
                    if name == "source_person"
                    else change
                    for name, change in a.changes.items()
                },
            )
            for a in amendments
        ],
        review=ReviewOut(
            reviewed_at=review.reviewed_at,
            reviewed_by=_name(review.reviewed_by),
            outcome=review.outcome,
            rationale=review.rationale,
        )
        if review
        else None,
    )


def _reload(request, concern_id, action="viewed concern"):
    return get_concern_for(request, concern_id, action=action, via="api")


@router.post("/concerns", response={201: ConcernOut}, summary="Record a concern")
def record_concern(request, payload: ConcernIn):
    if not payload.person_ids:
        raise ValidationError({"person_ids": ["Give the id of at least one person at risk"]})
    people = [
        get_person_for(request, pid, action="opened to record a concern", via="api")
        for pid in dict.fromkeys(payload.person_ids)
    ]
    organisation_id = people[0].organisation_id
    team = (
        Team.objects.select_related("service")
        .filter(pk=payload.team_id, service__organisation_id=organisation_id)
        .first()
    )
    if team is None:
        raise ValidationError(
            {"team_id": ["Choose a team of your organisation, from GET /api/v1/teams"]}
        )
    source_staff = source_person = None
    if payload.source_staff_id is not None:
        source_staff = (
            get_user_model()
            .objects.filter(
                pk=payload.source_staff_id, memberships__organisation_id=organisation_id
            )
            .first()
        )
        if source_staff is None:
            raise ValidationError(
                {
                    "source_staff_id": [
                        "Choose a member of your organisation's staff, from GET /api/v1/staff"
                    ]
                }
            )
    if payload.source_person_id is not None:
        source_person = (
            Person.objects.visible_to(request.user).filter(pk=payload.source_person_id).first()
        )
        if source_person is None:
            raise ValidationError(
                {
                    "source_person_id": [
                        "Choose a person you can see, or describe them in source_description"
                    ]
                }
            )
    answers = payload.dict(include={*recording.TEXT_FIELDS, *recording.CHOICE_FIELDS})
    draft = recording.Draft(
        people=people,
        occurred_at=payload.occurred_at,
        service=team.service,
        team=team,
        categories=payload.categories,
        risk_indicators=payload.risk_indicators,
        shift=payload.shift,
        source_staff=source_staff,
        source_person=source_person,
        answers=answers,
        external_ref=payload.external_ref,
    )
    try:
        concern = recording.record(request, organisation_id, draft)
    except ValidationError as error:
        renamed = {
            "occurred_at": "occurred_at",
            "team": "team_id",
            "service": "team_id",
            "people": "person_ids",
            "source_staff": "source_staff_id",
            "source_person": "source_person_id",
        }
        raise ValidationError(
            {renamed.get(k, k): v for k, v in error.message_dict.items()}
        ) from None
    return Status(201, _concern_out(Concern.objects.get(pk=concern.pk), request.user))


@router.get(
    "/concerns/{concern_id}", response=ConcernOut, summary="One concern, with amendments and review"
)
def get_concern(request, concern_id: int):
    return _concern_out(_reload(request, concern_id), request.user)


class AmendmentIn(Input):
    reason: str
    changes: dict


@router.post(
    "/concerns/{concern_id}/amendments",
    response={201: ConcernOut},
    summary="Amend a concern (the original stays)",
)
def amend_concern(request, concern_id: int, payload: AmendmentIn):
    concern = _reload(request, concern_id, "opened to amend")
    if not request.user.has_perm("concerns.amend_concern", concern):
        raise PermissionDenied(
            "Only the recorder, the team's manager or a safeguarding lead can amend a concern."
        )
    changes = dict(payload.changes)
    # The alleged source is named by id, as when recording.
    for name in recording.LINKS:
        if f"{name}_id" in changes:
            changes[name] = changes.pop(f"{name}_id")
    if "occurred_at" in changes:
        try:
            changes["occurred_at"] = datetime.fromisoformat(str(changes["occurred_at"]))
        except ValueError:
            raise ValidationError(
                {"occurred_at": ["Give the time as ISO 8601, e.g. 2026-11-24T22:30:00+00:00"]}
            ) from None
        if problem := moment_problem(changes["occurred_at"]):
            raise ValidationError({"occurred_at": [problem]})
    try:
        recording.amend(request, concern, changes, payload.reason)
    except ValidationError as error:
        raise ValidationError(
            {(f"{k}_id" if k in recording.LINKS else k): v for k, v in error.message_dict.items()}
        ) from None
    return Status(201, _concern_out(Concern.objects.get(pk=concern.pk), request.user))


class ReviewIn(Input):
    outcome: str
    rationale: str


@router.post(
    "/concerns/{concern_id}/review",
    response={201: ConcernOut},
    summary="Review a concern (team manager or lead)",
)
def review_concern(request, concern_id: int, payload: ReviewIn):
    concern = _reload(request, concern_id, "opened to review")
    if not request.user.has_perm("concerns.review_concern", concern):
        raise PermissionDenied(
            "Only the team's manager or a safeguarding lead can review this concern."
        )
    recording.review(request, concern, payload.outcome, payload.rationale)
    return Status(201, _concern_out(Concern.objects.get(pk=concern.pk), request.user))


class ConcernSummary(Schema):
    id: int
    person_ids: list[int]
    occurred_at: datetime
    service: str
    team: str
    shift: str
    categories: list[str]
    severity: str
    review_due_at: datetime
    status: str


class ConcernPage(Schema):
    count: int
    page: int
    pages: int
    results: list[ConcernSummary]


@router.get("/concerns", response=ConcernPage, summary="Concerns you may see")
def list_concerns(
    request,
    status: str | None = Query(None, description="open, overdue or reviewed"),
    service: int | None = None,
    team: int | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=200),
):
    concerns = Concern.objects.visible_to(request.user).select_related("service", "team", "review")
    if status == "open":
        concerns = concerns.filter(review__isnull=True)
    elif status == "overdue":
        concerns = concerns.filter(review__isnull=True, review_due_at__lt=timezone.now())
    elif status == "reviewed":
        concerns = concerns.filter(review__isnull=False)
    elif status is not None:
        raise ValidationError({"status": ["Use open, overdue or reviewed"]})
    if service is not None:
        concerns = concerns.filter(service_id=service)
    if team is not None:
        concerns = concerns.filter(team_id=team)
    paginator = Paginator(
        concerns.prefetch_related("people").order_by("-occurred_at", "-id"), page_size
    )
    current = paginator.get_page(page)
    now = timezone.now()
    visible = set(
        Person.objects.visible_to(request.user, include_merged=True)
        .filter(pk__in={p.pk for c in current.object_list for p in c.people.all()})
        .values_list("pk", flat=True)
    )
    results = []
    for c in current.object_list:
        reviewed = hasattr(c, "review")
        results.append(
            ConcernSummary(
                id=c.pk,
                person_ids=[p.pk for p in c.people.all() if p.pk in visible],
                occurred_at=c.occurred_at,
                service=c.service.name,
                team=c.team.name,
                shift=c.shift,
                categories=c.categories,
                severity=c.severity,
                review_due_at=c.review_due_at,
                status="reviewed" if reviewed else ("overdue" if c.review_due_at < now else "open"),
            )
        )
    trail.record_request(
        request,
        "listed concerns",
        object_type="concern list",
        organisation_id=scope_for(request.user).organisation_id,
        detail={
            "status": status,
            "service": service,
            "team": team,
            "shown": [r.id for r in results],
            "via": "api",
        },
    )
    return ConcernPage(
        count=paginator.count, page=current.number, pages=paginator.num_pages, results=results
    )


class ChronologyEntryOut(Schema):
    kind: str
    at: datetime
    concern_id: int
    service: str
    team: str
    shift: str
    severity: str
    categories: list[str]
    summary: str
    by: str
    title: str = Field("", description="For consent, capacity and sharing decisions")
    url: str = Field("", description="Where a consent, capacity or decision entry is shown")


class ChronologyOut(Schema):
    person_id: int
    concerns: int
    teams: list[str]
    services: list[str]
    entries: list[ChronologyEntryOut]


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
):
    person = get_person_for(request, person_id, action="viewed chronology", via="api")
    _, policy = recording.policy_for(person.organisation_id)
    filters = chronology.Filters(
        categories=frozenset([category]) if category else frozenset(),
        service_id=service,
        team_id=team,
        since=since,
        until=until,
    )
    rows, amendments, reviews, names = chronology.fetch(
        chronology.person_ids_for(person), request.user, filters
    )
    entries = chronology.assemble(
        rows,
        amendments,
        reviews,
        names,
        policy.category_labels(),
        policy.shift_labels(),
        chronology.others_for(request, person, filters),
    )
    # Thousands of entries: build the JSON directly rather than validate each entry
    # through pydantic (the schema above still documents it).
    fields = [f for f in ChronologyEntryOut.model_fields if f not in ("at", "title", "url")]
    out = []
    for e in entries:
        item = {k: getattr(e, k) for k in fields}
        item["at"] = e.at.isoformat()
        if "title" in e.detail:  # consent, capacity, sharing decisions
            item["title"], item["url"] = e.detail["title"], e.detail["url"]
        out.append(item)
    return JsonResponse(
        {
            "person_id": person.pk,
            "concerns": len(rows),
            "teams": sorted({r.where for r in rows}),
            "services": sorted({r.service for r in rows}),
            "entries": out,
        }
    )
