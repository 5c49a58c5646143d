"""Recording, reading back, amending and reviewing one concern: the same operations
(concerns.recording) and scoped reads (concerns.access) as the pages."""

from datetime import datetime

from django.core.exceptions import ValidationError
from ninja import Status

from sharewise.api.concerns import router
from sharewise.api.concerns.out import concern_out
from sharewise.api.concerns.schemas import AmendmentIn, ConcernIn, ConcernOut, ReviewIn
from sharewise.api.inputs import moment_problem
from sharewise.concerns import recording
from sharewise.concerns.access import get_concern_for, named_in_draft
from sharewise.people.access import get_person_for

# What recording calls a field, as a request body calls it.
BODY_NAMES = {
    "team": "team_id",
    "service": "team_id",
    "people": "person_ids",
    "source_staff": "source_staff_id",
    "source_person": "source_person_id",
}


# Where an API client finds what it may name.
NAMED_BY_ID = {
    "team": "Choose a team of your organisation, from GET /api/v1/teams",
    "source_staff": "Choose a member of your organisation's staff, from GET /api/v1/staff",
    "source_person": "Choose a person you can see, or describe them in source_description",
}


def _renamed(error: ValidationError) -> ValidationError:
    return ValidationError({BODY_NAMES.get(k, k): v for k, v in error.message_dict.items()})


def _named(request, organisation_id, payload):
    """The team and alleged source the body names by id, or 422 naming the id."""
    try:
        return named_in_draft(
            request.user,
            organisation_id,
            team_id=payload.team_id,
            source_staff_id=payload.source_staff_id,
            source_person_id=payload.source_person_id,
        )
    except ValidationError as error:
        raise _renamed(
            ValidationError({name: [NAMED_BY_ID[name]] for name in error.message_dict})
        ) from None


def _read_back(request, concern) -> ConcernOut:
    # Read again without writing the trail: the write just did.
    concern = type(concern).objects.get(pk=concern.pk)
    return concern_out(concern, request.user)


@router.post("/concerns", response={201: ConcernOut}, summary="Record a concern")
def record_concern(request, payload: ConcernIn):
    if not payload.person_ids:
        raise ValidationError({"person_ids": ["Give the id of at least one person at risk"]})
    people = [
        get_person_for(request, pid, action="opened to record a concern", via="api")
        for pid in dict.fromkeys(payload.person_ids)
    ]
    organisation_id = people[0].organisation_id
    team, source_staff, source_person = _named(request, organisation_id, payload)
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
        answers=payload.dict(include={*recording.TEXT_FIELDS, *recording.CHOICE_FIELDS}),
        external_ref=payload.external_ref,
    )
    try:
        concern = recording.record(request, organisation_id, draft)
    except ValidationError as error:
        raise _renamed(error) from None
    return Status(201, _read_back(request, concern))


@router.get(
    "/concerns/{concern_id}",
    response=ConcernOut,
    summary="One concern, with its amendments and review",
)
def get_concern(request, concern_id: int):
    return concern_out(get_concern_for(request, concern_id, via="api"), request.user)


@router.post(
    "/concerns/{concern_id}/amendments",
    response={201: ConcernOut},
    summary="Amend a concern (the original stays)",
)
def amend_concern(request, concern_id: int, payload: AmendmentIn):
    """By its recorder, the team's manager or a safeguarding lead. changes: {field: new
    value}; the alleged source is named by source_staff_id or source_person_id."""
    concern = get_concern_for(request, concern_id, action="opened to amend", via="api")
    changes = dict(payload.changes)
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
    return Status(201, _read_back(request, concern))


@router.post(
    "/concerns/{concern_id}/review",
    response={201: ConcernOut},
    summary="Review a concern (team manager or lead)",
)
def review_concern(request, concern_id: int, payload: ReviewIn):
    concern = get_concern_for(request, concern_id, action="opened to review", via="api")
    recording.review(request, concern, payload.outcome, payload.rationale)
    return Status(201, _read_back(request, concern))
