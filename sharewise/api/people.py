from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from ninja import Field, Query, Router, Schema, Status

from sharewise.audittrail import trail
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Team
from sharewise.people import changes, nhs_number
from sharewise.people.access import get_person_for, teams_user_may_enrol
from sharewise.people.models import Enrolment, Person

router = Router(tags=["People"])


class EnrolmentOut(Schema):
    id: int
    team_id: int
    team_name: str
    service_id: int
    service_name: str
    start_date: date
    end_date: date | None
    is_current: bool


class PersonSummary(Schema):
    id: int
    name: str
    preferred_name: str
    date_of_birth: date
    nhs_number: str
    age_group: str


class PersonOut(PersonSummary):
    given_name: str
    family_name: str
    communication_needs: str
    contact_safely: str
    enrolments: list[EnrolmentOut]
    break_glass: bool


class PeoplePage(Schema):
    count: int
    page: int
    pages: int
    results: list[PersonSummary]


def _summary(p: Person) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "preferred_name": p.preferred_name,
        "date_of_birth": p.date_of_birth,
        "nhs_number": p.nhs_number,
        "age_group": p.age_group,
    }


def _enrolment_out(e: Enrolment) -> EnrolmentOut:
    return EnrolmentOut(
        id=e.pk,
        team_id=e.team_id,
        team_name=e.team.name,
        service_id=e.team.service_id,
        service_name=e.team.service.name,
        start_date=e.start_date,
        end_date=e.end_date,
        is_current=e.is_current,
    )


def _person_out(p: Person) -> PersonOut:
    return PersonOut(
        **_summary(p),
        given_name=p.given_name,
        family_name=p.family_name,
        communication_needs=p.communication_needs,
        contact_safely=p.contact_safely,
        enrolments=[_enrolment_out(e) for e in p.enrolments.select_related("team__service")],
        break_glass=p.break_glass is not None,
    )


@router.get("/people", response=PeoplePage, summary="People you may see, searchable")
def list_people(
    request, q: str = "", page: int = Query(1, ge=1), page_size: int = Query(25, ge=1, le=100)
):
    found = Person.objects.visible_to(request.user).search(q)
    paginator = Paginator(found, page_size)
    current = paginator.get_page(page)
    results = list(current.object_list)
    trail.record_request(
        request,
        "searched people" if q else "listed people",
        object_type="person list",
        organisation_id=scope_for(request.user).organisation_id,
        detail={"q": q, "page": current.number, "shown": [p.pk for p in results], "via": "api"},
    )
    return PeoplePage(
        count=paginator.count,
        page=current.number,
        pages=paginator.num_pages,
        results=[PersonSummary(**_summary(p)) for p in results],
    )


class PersonIn(Schema):
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    preferred_name: str = Field("", max_length=100)
    date_of_birth: date
    nhs_number: str = ""
    communication_needs: str = ""
    contact_safely: str = ""
    team_id: int
    start_date: date


def _team_for_enrolment(request, team_id: int, organisation_id: int) -> Team:
    team = (
        teams_user_may_enrol(request.user)
        .filter(pk=team_id, service__organisation_id=organisation_id)
        .first()
    )
    if team is None:
        raise ValidationError({"team_id": ["Choose a team you manage, from GET /api/v1/teams"]})
    return team


@router.post("/people", response={201: PersonOut}, summary="Add a person (team managers and leads)")
def add_person(request, payload: PersonIn):
    if not request.user.has_perm("people.add_person"):
        raise PermissionDenied("Only team managers and safeguarding leads can add people.")
    organisation_id = scope_for(request.user).organisation_id
    team = _team_for_enrolment(request, payload.team_id, organisation_id)
    data = payload.dict(exclude={"team_id", "start_date"})
    data["nhs_number"] = nhs_number.normalise(data["nhs_number"])
    person = Person(organisation_id=organisation_id, **data)
    person = changes.add_person(request, person=person, team=team, start_date=payload.start_date)
    person.break_glass = None
    return Status(201, _person_out(person))


@router.get("/people/{person_id}", response=PersonOut, summary="One person's record")
def get_person(request, person_id: int):
    return _person_out(get_person_for(request, person_id, via="api"))


class EnrolmentIn(Schema):
    team_id: int
    start_date: date
    end_date: date | None = None


@router.post(
    "/people/{person_id}/enrolments",
    response={201: EnrolmentOut},
    summary="Enrol a person with a team (their team manager, or a lead)",
)
def add_enrolment(request, person_id: int, payload: EnrolmentIn):
    person = get_person_for(request, person_id, action="opened to enrol", via="api")
    if not request.user.has_perm("people.add_enrolment"):
        raise PermissionDenied("Only team managers and safeguarding leads can enrol people.")
    team = _team_for_enrolment(request, payload.team_id, person.organisation_id)
    enrolment = changes.add_enrolment(
        request,
        Enrolment(
            person=person, team=team, start_date=payload.start_date, end_date=payload.end_date
        ),
    )
    enrolment = Enrolment.objects.select_related("team__service").get(pk=enrolment.pk)
    return Status(201, _enrolment_out(enrolment))
