"""Checking a row's person and team: the team named must be one the importer may add
people to; the person is found by reference (or NHS number) and must be someone they
may see, or is new and needs enough to be added."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from sharewise.concerns.importing.checking import Check, kept
from sharewise.concerns.importing.columns import PERSON_LIMITS
from sharewise.concerns.importing.values import read_date
from sharewise.people import nhs_number
from sharewise.people.models import Person


@dataclass
class PersonCells:
    ref: str
    given: str
    family: str
    born: date | None
    number: str  # NHS number, normalised


def team(check: Check, number, values):
    name = values.get("team", "")
    service = values.get("service", "")
    if not name:
        check.add(number, "team", "Enter the team, as it is named in Sharewise")
        return None
    candidates = check.teams_by_name.get(name.casefold(), [])
    if service:
        candidates = [t for t in candidates if t.service.name.casefold() == service.casefold()]
    if not candidates:
        known = sorted({t.name for ts in check.teams_by_name.values() for t in ts})
        where = f" at {service}" if service else ""
        check.add(
            number,
            "team",
            f"'{name}'{where} is not a team at {check.organisation.name}. Use one of: "
            f"{', '.join(known)}",
        )
        return None
    if len(candidates) > 1:
        check.add(
            number,
            "service",
            f"More than one service has a team called '{name}': add the service, one of "
            f"{', '.join(sorted(t.service.name for t in candidates))}",
        )
        return None
    found = candidates[0]
    if found.pk not in check.allowed_teams:
        check.add(
            number,
            "team",
            f"'{found.name}' at {found.service.name} is outside your scope: you can import "
            "only for teams you may add people to",
        )
        return None
    return found


def person(check: Check, number, values, team):
    """The person a row is about (new ones are kept on the check until saved), or None
    with the row's problem added."""
    cells = _read(check, number, values)
    if cells is None:
        return None
    if cells.ref in check.new_people:  # seen earlier in this file
        return _same_person(check, number, check.new_people[cells.ref]["person"], cells)
    existing = check.people_by_ref.get(cells.ref)
    if existing is None and cells.number in check.people_by_nhs:
        existing = check.people_by_nhs[cells.number]
        if existing.external_ref and existing.external_ref != cells.ref:
            check.add(
                number,
                "nhs_number",
                f"This NHS number belongs to {existing.name}, whose reference is "
                f"'{existing.external_ref}', not '{cells.ref}': check the reference or the number",
            )
            return None
        check.links[existing.pk] = cells.ref
    if existing is not None:
        existing = kept(existing)
        if existing.pk not in check.visible:
            check.add(
                number,
                "person_ref",
                f"'{cells.ref}' is someone outside your scope: ask a safeguarding lead to "
                "import this row",
            )
            return None
        check.matched.add(existing.pk)
        return _same_person(check, number, existing, cells)
    return _new_person(check, number, values, team, cells)


def _read(check: Check, number, values) -> PersonCells | None:
    ref = values.get("person_ref", "")
    if not ref:
        check.add(number, "person_ref", "Enter your reference for the person")
        return None
    for name, limit in PERSON_LIMITS.items():
        if len(values.get(name) or "") > limit:
            check.add(number, name, f"Shorten this to {limit} characters or fewer")
            return None
    born = None
    if values.get("date_of_birth"):
        try:
            born = read_date(values["date_of_birth"])
        except ValueError as error:
            check.add(number, "date_of_birth", str(error))
            return None
    number_text = nhs_number.normalise(values.get("nhs_number", ""))
    if number_text and (problem := nhs_number.problem(number_text)):
        check.add(number, "nhs_number", problem)
        return None
    return PersonCells(
        ref, values.get("given_name", ""), values.get("family_name", ""), born, number_text
    )


def _new_person(check: Check, number, values, team, cells: PersonCells):
    ref, born = cells.ref, cells.born
    missing = [
        name
        for name, value in (
            ("given_name", cells.given),
            ("family_name", cells.family),
            ("date_of_birth", born),
        )
        if not value
    ]
    if missing:
        check.add(
            number,
            missing[0],
            f"'{ref}' is not in Sharewise yet: enter {', '.join(missing)} to add them",
        )
        return None
    if born > timezone.localdate():
        check.add(number, "date_of_birth", "Date of birth must be today or in the past")
        return None
    if cells.number and check.file_nhs.get(cells.number, ref) != ref:
        check.add(
            number,
            "nhs_number",
            f"The same NHS number is given for '{check.file_nhs[cells.number]}' on an "
            "earlier row: check the number or the reference",
        )
        return None
    start = None
    if values.get("start_date"):
        try:
            start = read_date(values["start_date"])
        except ValueError as error:
            check.add(number, "start_date", str(error))
            return None
        if start > timezone.localdate() or start < born:
            check.add(
                number, "start_date", "The start date must be between their date of birth and today"
            )
            return None
    if team is None:
        return None
    new = Person(
        organisation=check.organisation,
        given_name=cells.given,
        family_name=cells.family,
        date_of_birth=born,
        nhs_number=cells.number,
        external_ref=ref,
    )
    if cells.number:
        check.file_nhs[cells.number] = ref
    check.new_people[ref] = {"person": new, "team": team, "start": start, "row": number}
    return new


def _same_person(check: Check, number, found, cells: PersonCells):
    differs = [
        label
        for label, mine, theirs in (
            ("given name", cells.given, found.given_name),
            ("family name", cells.family, found.family_name),
        )
        if mine and mine.casefold() != theirs.casefold()
    ]
    if cells.born and cells.born != found.date_of_birth:
        differs.append("date of birth")
    if cells.number and found.nhs_number and cells.number != found.nhs_number:
        differs.append("NHS number")
    if differs:
        check.add(
            number,
            "person_ref",
            f"'{found.external_ref or check.links.get(found.pk)}' is {found.name}, born "
            f"{found.date_of_birth:%d/%m/%Y}, but this row's {' and '.join(differs)} "
            "differ: check the reference",
        )
        return None
    return found
