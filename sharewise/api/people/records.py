"""People's records, their enrolments and the duplicates among them."""

from datetime import date
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from sharewise.api.inputs import Day, Input
from sharewise.api.people.filters import FROM_DAY, TO_DAY
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Team
from sharewise.people import changes, merging, nhs_number
from sharewise.people.access import (
    enrolments_of,
    get_person_for,
    teams_user_may_enrol,
    trail_people_listed,
)
from sharewise.people.models import Enrolment, Person

router = Router(tags=["People"])


class EnrolmentOut(Schema):
    id: int
    person_id: int  # differs from the record's id for a record merged into it
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
    merged_records: list[int] = Field(description="Ids of records merged into this one")
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
        person_id=e.person_id,
        team_id=e.team_id,
        team_name=e.team.name,
        service_id=e.team.service_id,
        service_name=e.team.service.name,
        start_date=e.start_date,
        end_date=e.end_date,
        is_current=e.is_current,
    )


def _person_out(p: Person, schema=None, **extra) -> PersonOut:
    ids = p.record_ids()
    enrolments = enrolments_of(p)
    return (schema or PersonOut)(
        **_summary(p),
        given_name=p.given_name,
        family_name=p.family_name,
        communication_needs=p.communication_needs,
        contact_safely=p.contact_safely,
        enrolments=[_enrolment_out(e) for e in enrolments],
        merged_records=ids[1:],
        break_glass=p.break_glass is not None,
        **extra,
    )


class DuplicateOut(Schema):
    id: int
    name: str
    date_of_birth: date
    nhs_number: str
    score: int = Field(description="How alike, 1 to 100; 100 is the same NHS number")
    reasons: list[str]


class PersonCreated(PersonOut):
    possible_duplicates: list[DuplicateOut] = Field(
        description="Records you may see that may be this same person: check, and ask "
        "your safeguarding lead to merge them if so"
    )
    possible_duplicate_outside_your_view: bool = Field(
        description="Someone with these details may be recorded outside your teams: "
        "ask your safeguarding lead"
    )


def _duplicates_out(request, matches, organisation_id, about=None):
    visible, hidden = merging.split_by_scope(request.user, matches)
    people = Person.objects.in_bulk([m.id for m in visible])
    merging.trail_shown(request, list(people), organisation_id, about=about, via="api")
    out = [
        DuplicateOut(
            id=m.id,
            name=people[m.id].name,
            date_of_birth=people[m.id].date_of_birth,
            nhs_number=people[m.id].nhs_number,
            score=m.score,
            reasons=list(m.reasons),
        )
        for m in visible
    ]
    return out, hidden


@router.get(
    "/people",
    response=PeoplePage,
    summary="People you may see, searchable",
    description="To search by name, date of birth or NHS number prefer "
    "POST /api/v1/people/search: words in an address reach proxies' logs.",
)
def list_people(
    request, q: str = "", page: int = Query(1, ge=1), page_size: int = Query(25, ge=1, le=100)
):
    return _people_page(request, q, page, page_size)


class SearchIn(Input):
    q: str = Field("", max_length=200, description="Name, date of birth or NHS number")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


@router.post(
    "/people/search",
    response=PeoplePage,
    summary="Search the people you may see, the words in the body",
    description="As GET /api/v1/people?q=, but the words stay out of the address and so "
    "out of access logs.",
)
def search_people(request, payload: SearchIn):
    return _people_page(request, payload.q.strip(), payload.page, payload.page_size)


def _people_page(request, q: str, page: int, page_size: int) -> PeoplePage:
    found = Person.objects.visible_to(request.user).search(q)
    paginator = Paginator(found, page_size)
    current = paginator.get_page(page)
    results = list(current.object_list)
    trail_people_listed(request, q, current.number, results, via="api")
    return PeoplePage(
        count=paginator.count,
        page=current.number,
        pages=paginator.num_pages,
        results=[PersonSummary(**_summary(p)) for p in results],
    )


class PersonIn(Input):
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


@router.post(
    "/people",
    response={201: PersonCreated},
    summary="Add a person (team managers and leads)",
    description="The person is added even when they may already be recorded; the "
    "response lists the likely duplicates you may see (same NHS number, or same date of "
    "birth and a similar name) so your client can warn, as the add-person page does.",
)
def add_person(request, payload: PersonIn):
    if not request.user.has_perm("people.add_person"):
        raise PermissionDenied("Only team managers and safeguarding leads can add people.")
    organisation_id = scope_for(request.user).organisation_id
    team = _team_for_enrolment(request, payload.team_id, organisation_id)
    data = payload.dict(exclude={"team_id", "start_date"})
    data["nhs_number"] = nhs_number.normalise(data["nhs_number"])
    person = Person(organisation_id=organisation_id, **data)
    matches = merging.possible_duplicates(organisation_id, person)
    person = changes.add_person(
        request,
        person=person,
        team=team,
        start_date=payload.start_date,
        detail={"possible_duplicates": [m.id for m in matches], "via": "api"} if matches else None,
    )
    person.break_glass = None
    found, hidden = _duplicates_out(request, matches, organisation_id, about=person.pk)
    return Status(
        201,
        _person_out(
            person,
            PersonCreated,
            possible_duplicates=found,
            possible_duplicate_outside_your_view=hidden,
        ),
    )


@router.get("/people/{person_id}", response=PersonOut, summary="One person's record")
def get_person(request, person_id: int):
    return _person_out(get_person_for(request, person_id, via="api"))


class EnrolmentIn(Input):
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


@router.get(
    "/people/{person_id}/possible-duplicates",
    response=list[DuplicateOut],
    summary="Records that may be this same person, among those you may see",
)
def possible_duplicates(request, person_id: int):
    person = get_person_for(request, person_id, action="checked for duplicates", via="api")
    matches = merging.possible_duplicates(person.organisation_id, person)
    found, _ = _duplicates_out(request, matches, person.organisation_id, about=person.pk)
    return found


class EnrolmentStatus(StrEnum):
    current = "current"
    ended = "ended"
    upcoming = "upcoming"


@router.get(
    "/people/{person_id}/enrolments",
    response=list[EnrolmentOut],
    summary="A person's enrolments with teams, their merged records' too",
    description="Filters: status (current, ended or upcoming today); from and to "
    "(YYYY-MM-DD) keep enrolments that overlap those days.",
)
def list_enrolments(
    request,
    person_id: int,
    status: EnrolmentStatus | None = None,
    since: Day | None = FROM_DAY,
    until: Day | None = TO_DAY,
):
    person = get_person_for(request, person_id, action="listed enrolments", via="api")
    found = enrolments_of(person)
    today = timezone.localdate()
    if status == EnrolmentStatus.current:
        found = found.current(today)
    elif status == EnrolmentStatus.ended:
        found = found.filter(end_date__lt=today)
    elif status == EnrolmentStatus.upcoming:
        found = found.filter(start_date__gt=today)
    if since:
        found = found.filter(Q(end_date__isnull=True) | Q(end_date__gte=since))
    if until:
        found = found.filter(start_date__lte=until)
    return [_enrolment_out(e) for e in found]
