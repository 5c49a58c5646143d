"""The demo organisation's people supported: deterministic (seeded), synthetic names
and NHS numbers from the range reserved for testing, enrolled in its teams (children in
the young people's team). Added to organisations' build_demo through the demo hook."""

import random
from datetime import date, timedelta

from sharewise.organisations.demo import SEED, demo_faker
from sharewise.organisations.models import Team
from sharewise.people.models import Enrolment, Person
from sharewise.people.nhs_number import check_digit

CHILD_TEAM = "Young people's outreach"
COMMUNICATION_NEEDS = [
    "",
    "",
    "Hearing aid in left ear; speak clearly and face them.",
    "Uses Makaton and picture cards.",
    "Prefers Urdu; interpreter for important conversations.",
    "Short sentences; check understanding by asking them to explain back.",
]
CONTACT_SAFELY = [
    "",
    "",
    "Do not leave voicemails: a family member checks the phone.",
    "Speak to them alone; their son is usually present at visits.",
]


def valid_nhs_number(rng: random.Random) -> str:
    while True:
        # 999 numbers are reserved for testing and never issued to real patients.
        first = "999" + "".join(str(rng.randint(0, 9)) for _ in range(6))
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)


def extend_demo(org, today: date, people: int = 120) -> str:
    rng = random.Random(SEED)
    fake = demo_faker(after_staff=True)
    Person.objects.bulk_create([_person(org, today, i, rng, fake) for i in range(people)])
    teams = list(Team.objects.filter(service__organisation=org).order_by("id"))
    Enrolment.objects.bulk_create(_enrolments(org, today, teams, rng))
    return f"{people} people supported"


def _person(org, today, i, rng, fake) -> Person:
    child = i % 12 == 11
    born = (
        fake.date_between(today - timedelta(days=17 * 365), today - timedelta(days=9 * 365))
        if child
        else fake.date_between(date(1928, 1, 1), date(2000, 12, 31))
    )
    given = fake.first_name()
    return Person(
        organisation=org,
        given_name=given,
        family_name=fake.last_name(),
        preferred_name=given[:3] if i % 9 == 0 else "",
        date_of_birth=born,
        nhs_number=valid_nhs_number(rng) if i % 10 else "",
        communication_needs=rng.choice(COMMUNICATION_NEEDS),
        contact_safely=rng.choice(CONTACT_SAFELY),
    )


def _enrolments(org, today, teams, rng) -> list[Enrolment]:
    """Each adult in one team, some in a second and some who moved on from one;
    each child in the young people's team."""
    adult_teams = [t for t in teams if t.name != CHILD_TEAM]
    child_team = next(t for t in teams if t.name == CHILD_TEAM)
    enrolments = []
    for i, person in enumerate(Person.objects.filter(organisation=org).order_by("id")):
        start = today - timedelta(days=rng.randint(60, 1500))
        if person.age(today) < 18:
            enrolments.append(Enrolment(person=person, team=child_team, start_date=start))
            continue
        first = adult_teams[i % len(adult_teams)]
        enrolments.append(Enrolment(person=person, team=first, start_date=start))
        if i % 7 == 0:  # supported by a second team too
            second = adult_teams[(i + 3) % len(adult_teams)]
            enrolments.append(
                Enrolment(person=person, team=second, start_date=start + timedelta(days=30))
            )
        if i % 19 == 0:  # moved on from a team: recently, or long ago
            ended = today - timedelta(days=30 if i % 2 else 200)
            old = adult_teams[(i + 1) % len(adult_teams)]
            enrolments.append(
                Enrolment(
                    person=person, team=old, start_date=start - timedelta(days=400), end_date=ended
                )
            )
    return enrolments
