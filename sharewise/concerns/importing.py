"""Importing historic people and concerns from a CSV file.

Plain functions shared by the command line, the web import and the tests: parse()
turns the file's bytes into numbered rows, run() checks every row and, only when all
are good, saves them in one transaction. Concerns go through recording.problems() and
recording.record(), so an imported concern is checked exactly like a typed one."""

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.concerns import recording, signals, statistics
from sharewise.concerns.models import AwaitingReview, Concern, ConcernPerson
from sharewise.organisations.models import Team
from sharewise.people import nhs_number
from sharewise.people.access import teams_user_may_enrol
from sharewise.people.models import Enrolment, Person
from sharewise.policy.documents import NO_INDICATOR


@dataclass(frozen=True)
class Column:
    name: str
    about: str
    example: str = ""
    required: bool = False  # the header must have it (values may still be blank)


PERSON_COLUMNS = (
    Column(
        "person_ref",
        "Your reference for the person, the same on every row about them. Sharewise keeps it "
        "so that importing the file again finds the same person. Every row needs one.",
        "R-0042",
        required=True,
    ),
    Column("given_name", "Their given (first) name.", "Alice", required=True),
    Column("family_name", "Their family name (surname).", "Moore", required=True),
    Column(
        "date_of_birth",
        "Day/month/year with a 4-digit year, or year-month-day.",
        "02/03/1941",
        required=True,
    ),
    Column("nhs_number", "10 digits, spaces allowed. Optional.", "943 476 5919"),
    Column(
        "team",
        "The team, exactly as it is named in Sharewise. For a new person it becomes their team "
        "from their start date; for a concern it is where it happened.",
        "Night team",
        required=True,
    ),
    Column(
        "service",
        "The service the team belongs to. Needed only when two services have a team with the "
        "same name.",
        "Rose House",
    ),
    Column(
        "start_date",
        "When the team started supporting a new person. Optional: when blank, the date of "
        "their earliest concern in the file, or today.",
        "01/06/2019",
    ),
)
CONCERN_COLUMNS = (
    Column(
        "concern_ref",
        "Your reference for the concern, different on every row. Sharewise keeps it, so a "
        "concern already imported is not imported twice.",
        "LOG-2023-117",
        required=True,
    ),
    Column(
        "occurred_at",
        "When it happened: date and 24-hour time. Not in the future.",
        "14/03/2023 22:30",
        required=True,
    ),
    Column(
        "categories",
        "One or more categories from your policy, separated by ';'. Use the codes or names "
        "listed below.",
        "neglect; psychological",
        required=True,
    ),
    Column("facts", "What happened, in facts. Cannot be blank.", required=True),
    Column(
        "immediate_action",
        "What was done straight away to keep the person safe. Cannot be blank.",
        required=True,
    ),
    Column("sharing_view", "The person's view on sharing this.", "not_asked", required=True),
    Column("injury", "Whether there was an injury.", "none", required=True),
    Column("information_source", "How the recorder knew.", "observed", required=True),
    Column("severity", "How serious it was judged to be.", "moderate", required=True),
    Column("shift", "Optional: when blank, worked out from the time.", "night"),
    Column(
        "risk_indicators",
        "The quick risk questions that applied, separated by ';' (codes or words listed "
        "below), or 'none'. Optional: when blank, the concern lists them as not answered.",
        "children; crime",
    ),
    Column("persons_words", "The person's own words. Optional."),
    Column("persons_wishes", "What the person wanted to happen. Optional."),
    Column("sharing_view_reason", "Why they refused or could not say. Optional."),
    Column("who_was_told", "Who was told at the time. Optional."),
    Column("source_kind", "Who is alleged to have caused the harm. Optional.", "unknown"),
    Column("source_description", "Describes the alleged source. Optional.", "Her son, Mark"),
    Column("injury_location", "Where on the body. Optional."),
    Column("reported_by", "Who reported it, when someone else did. Optional."),
    Column(
        "recorded_by",
        "The Sharewise username of whoever recorded it at the time. Optional: when blank, the "
        "person importing the file.",
        "nia",
    ),
)
COLUMNS = {c.name: c for c in (*PERSON_COLUMNS, *CONCERN_COLUMNS)}
CONCERN_ONLY = [c.name for c in CONCERN_COLUMNS]
PERSON_LIMITS = {"person_ref": 100, "given_name": 100, "family_name": 100}
CONCERN_LIMITS = {"concern_ref": 100, "source_description": 200, "injury_location": 200}
CONCERN_LIMITS["reported_by"] = 200

# What problems() calls a field, as the file calls it.
FIELD_COLUMNS = {"people": "person_ref", "source_staff": "source_description"}

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%H.%M")


def max_bytes() -> int:
    return getattr(settings, "SHAREWISE_IMPORT_MAX_BYTES", 50 * 1024 * 1024)


class FileProblem(Exception):
    """The file as a whole cannot be imported; the message says what to do."""


@dataclass
class RowError:
    row: int | None  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str

    def __str__(self):
        where = f"Row {self.row}" if self.row else "The file"
        return (
            f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, dict]]  # (spreadsheet row number, {column: value})
    digest: str = ""


@dataclass
class Result:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    people_created: list = field(default_factory=list)
    people_matched: int = 0
    concerns_created: list = field(default_factory=list)
    concerns_skipped: int = 0  # already imported before
    dry_run: bool = False

    @property
    def ok(self):
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return (
                f"Nothing was imported: {_count(len(self.errors), 'problem')} to fix in the file."
            )
        people = _count(len(self.people_created), "new person", "new people")
        concerns = _count(len(self.concerns_created), "concern")
        before = f"{self.concerns_skipped} had been imported before and"
        if self.dry_run:
            return (
                f"{self.rows} rows checked. Would add {people} and match "
                f"{self.people_matched} already in Sharewise. Would import {concerns}; "
                f"{before} would be left as they are."
            )
        return (
            f"{self.rows} rows checked. Added {people} and matched {self.people_matched} "
            f"already in Sharewise. Imported {concerns}; {before} were left as they are."
        )


def _count(n, one, many=None):
    return f"{n} {one if n == 1 else many or one + 's'}"


def size_text(n: int) -> str:
    if n >= 1_048_576:
        return f"{round(n / 1_048_576, 1):g} MB"
    return f"{round(n / 1024, 1):g} KB"


# Reading the file


def check_size(size: int) -> None:
    limit = max_bytes()
    if size > limit:
        raise FileProblem(
            f"The file is bigger than {size_text(limit)}, the largest you can import. Split it "
            "into smaller files and import each one."
        )


def _decode(data: bytes) -> str:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise FileProblem(
            "This is an Excel workbook, not a CSV file. In Excel choose File, Save As, "
            "'CSV UTF-8 (Comma delimited)', and import that file."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem(
            "The file is saved as UTF-16 (Unicode text). Save the file as CSV UTF-8 "
            "('CSV UTF-8 (Comma delimited)' in Excel) and import it again."
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileProblem(
            f"The file is not saved as UTF-8 (from line {line} it looks like Windows-1252 or "
            "Latin-1, which Excel uses for plain 'CSV'). Save the file as CSV UTF-8 "
            "('CSV UTF-8 (Comma delimited)' in Excel's Save As) and import it again."
        ) from None


def _column_name(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def parse(data: bytes) -> Table:
    """Numbered rows from a CSV file's bytes, or FileProblem saying what to fix."""
    check_size(len(data))
    text = _decode(data)
    if "\x00" in text:
        raise FileProblem("The file contains null characters, so it is not a CSV file.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise FileProblem("The file is empty: the first row must name the columns.")
        header = [_column_name(h) for h in header]
        rows = []
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue  # spreadsheets often end with blank rows
            if len(values) > len(header):
                raise FileProblem(
                    f"Row {number} has {len(values)} values but the header has {len(header)} "
                    "columns. A value probably contains a comma without quotes around it: "
                    "save the file from your spreadsheet as CSV again rather than editing it "
                    "by hand."
                )
            rows.append((number, dict(zip(header, (v.strip() for v in values), strict=False))))
    except csv.Error as error:
        raise FileProblem(
            f"The file is not valid CSV near row {reader.line_num}: {error}. This usually "
            "means a quotation mark that is not closed. Save the file from your spreadsheet "
            "as CSV again."
        ) from None
    if not rows:
        raise FileProblem("The file has a header row but no rows under it.")
    return Table(header=header, rows=rows, digest=hashlib.sha256(data).hexdigest())


def _header_problems(header: list[str]) -> list[str]:
    problems = []
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        problems.append(
            f"Unknown column{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(h) for h in unknown)}: check the spelling against the column "
            "reference, or delete the column."
        )
    doubled = sorted({h for h in header if header.count(h) > 1})
    if doubled:
        problems.append(f"These columns appear twice: {', '.join(doubled)}. Keep one of each.")
    needed = [c.name for c in PERSON_COLUMNS if c.required]
    if any(h in CONCERN_ONLY for h in header):
        needed += [c.name for c in CONCERN_COLUMNS if c.required]
    missing = [name for name in needed if name not in header]
    if missing:
        problems.append(
            f"The file has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}: "
            "add them to the first row (they can be blank where the column reference says so)."
        )
    return problems


# Checking values


def _date(text: str) -> date:
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if parsed.year < 1000:
            break
        return parsed
    raise ValueError(f"'{text}' is not a date: write it as day/month/year, for example 27/03/1958")


def _moment(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        day, _, clock = text.replace("T", " ").partition(" ")
        if not clock.strip():
            raise ValueError(
                f"'{text}' has no time: add the 24-hour time, for example 14/03/2023 22:30"
            ) from None
        for fmt in TIME_FORMATS:
            try:
                moment = datetime.strptime(clock.strip(), fmt).time()
            except ValueError:
                continue
            parsed = datetime.combine(_date(day), moment)
            break
        if parsed is None:
            raise ValueError(
                f"'{text}' is not a date and time: write it as day/month/year hours:minutes, "
                "for example 14/03/2023 22:30"
            ) from None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices.choices:
        lookup[value.casefold()] = value
        lookup[str(label).casefold()] = value
    return lookup


CHOICES = {name: _choice_lookup(choices) for name, choices in recording.CHOICE_FIELDS.items()}


class _Checker:
    """Everything the file refers to, fetched in a few queries before the rows are read."""

    def __init__(self, table: Table, organisation, user, policy):
        self.organisation = organisation
        self.user = user
        self.policy = policy
        self.errors: list[RowError] = []
        rows = [values for _, values in table.rows]
        self.allowed_teams = set(
            teams_user_may_enrol(user)
            .filter(service__organisation=organisation)
            .values_list("pk", flat=True)
        )
        self.teams_by_name: dict[str, list] = {}
        for team in Team.objects.select_related("service").filter(
            service__organisation=organisation
        ):
            self.teams_by_name.setdefault(team.name.casefold(), []).append(team)
        self.categories = {}
        for c in policy.categories:
            self.categories[c.code.casefold()] = c.code
            self.categories[c.label.casefold()] = c.code
        self.indicators = {NO_INDICATOR: NO_INDICATOR, "none of these": NO_INDICATOR}
        for i in policy.risk_indicators:
            self.indicators[i.code.casefold()] = i.code
            self.indicators[i.label.casefold()] = i.code
        self.shifts = {}
        for s in policy.shifts:
            self.shifts[s.code.casefold()] = s.code
            self.shifts[s.label.casefold()] = s.code
        staff = get_user_model().objects.filter(memberships__organisation=organisation)
        self.users = {u.username.casefold(): u for u in staff.distinct()}
        refs = {v.get("person_ref") for v in rows} - {"", None}
        numbers = {nhs_number.normalise(v.get("nhs_number") or "") for v in rows} - {""}
        people = Person.objects.filter(organisation=organisation)
        self.people_by_ref = {p.external_ref: p for p in people.filter(external_ref__in=refs)}
        self.people_by_nhs = {p.nhs_number: p for p in people.filter(nhs_number__in=numbers)}
        found = {_kept(p).pk for p in (*self.people_by_ref.values(), *self.people_by_nhs.values())}
        self.visible = set(
            Person.objects.visible_to(user).filter(pk__in=found).values_list("pk", flat=True)
        )
        concern_refs = {v.get("concern_ref") for v in rows} - {"", None}
        self.imported = set(
            Concern.objects.filter(
                organisation=organisation, external_ref__in=concern_refs
            ).values_list("external_ref", flat=True)
        )
        # What the file builds up as it is read.
        self.new_people: dict[str, dict] = {}  # ref -> {"person", "team", "start", "row"}
        self.links: dict[int, str] = {}  # existing person pk -> ref to give them
        self.matched: set[int] = set()
        self.file_refs: dict[str, int] = {}  # concern ref -> row it first appeared on
        self.file_nhs: dict[str, str] = {}  # NHS number -> person ref
        self.drafts: list[tuple[int, recording.Draft, object]] = []
        self.skipped = 0

    def add(self, row, column, message):
        self.errors.append(RowError(row, column, message))

    def team(self, number, values):
        name = values.get("team", "")
        service = values.get("service", "")
        if not name:
            self.add(number, "team", "Enter the team, as it is named in Sharewise")
            return None
        candidates = self.teams_by_name.get(name.casefold(), [])
        if service:
            candidates = [t for t in candidates if t.service.name.casefold() == service.casefold()]
        if not candidates:
            known = sorted({t.name for ts in self.teams_by_name.values() for t in ts})
            where = f" at {service}" if service else ""
            self.add(
                number,
                "team",
                f"'{name}'{where} is not a team at {self.organisation.name}. Use one of: "
                f"{', '.join(known)}",
            )
            return None
        if len(candidates) > 1:
            self.add(
                number,
                "service",
                f"More than one service has a team called '{name}': add the service, one of "
                f"{', '.join(sorted(t.service.name for t in candidates))}",
            )
            return None
        team = candidates[0]
        if team.pk not in self.allowed_teams:
            self.add(
                number,
                "team",
                f"'{team.name}' at {team.service.name} is outside your scope: you can import "
                "only for teams you may add people to",
            )
            return None
        return team

    def person(self, number, values, team):
        ref = values.get("person_ref", "")
        if not ref:
            self.add(number, "person_ref", "Enter your reference for the person")
            return None
        for name, limit in PERSON_LIMITS.items():
            if len(values.get(name) or "") > limit:
                self.add(number, name, f"Shorten this to {limit} characters or fewer")
                return None
        given = values.get("given_name", "")
        family = values.get("family_name", "")
        born = None
        if values.get("date_of_birth"):
            try:
                born = _date(values["date_of_birth"])
            except ValueError as error:
                self.add(number, "date_of_birth", str(error))
                return None
        number_text = nhs_number.normalise(values.get("nhs_number", ""))
        if number_text and (problem := nhs_number.problem(number_text)):
            self.add(number, "nhs_number", problem)
            return None

        if ref in self.new_people:  # seen earlier in this file
            entry = self.new_people[ref]
            return self._same_person(number, entry["person"], given, family, born, number_text)
        existing = self.people_by_ref.get(ref)
        if existing is None and number_text in self.people_by_nhs:
            existing = self.people_by_nhs[number_text]
            if existing.external_ref and existing.external_ref != ref:
                self.add(
                    number,
                    "nhs_number",
                    f"This NHS number belongs to {existing.name}, whose reference is "
                    f"'{existing.external_ref}', not '{ref}': check the reference or the number",
                )
                return None
            self.links[existing.pk] = ref
        if existing is not None:
            existing = _kept(existing)
            if existing.pk not in self.visible:
                self.add(
                    number,
                    "person_ref",
                    f"'{ref}' is someone outside your scope: ask a safeguarding lead to "
                    "import this row",
                )
                return None
            self.matched.add(existing.pk)
            return self._same_person(number, existing, given, family, born, number_text)

        missing = [
            name
            for name, value in (
                ("given_name", given),
                ("family_name", family),
                ("date_of_birth", born),
            )
            if not value
        ]
        if missing:
            self.add(
                number,
                missing[0],
                f"'{ref}' is not in Sharewise yet: enter {', '.join(missing)} to add them",
            )
            return None
        if born > timezone.localdate():
            self.add(number, "date_of_birth", "Date of birth must be today or in the past")
            return None
        if number_text and self.file_nhs.get(number_text, ref) != ref:
            self.add(
                number,
                "nhs_number",
                f"The same NHS number is given for '{self.file_nhs[number_text]}' on an "
                "earlier row: check the number or the reference",
            )
            return None
        start = None
        if values.get("start_date"):
            try:
                start = _date(values["start_date"])
            except ValueError as error:
                self.add(number, "start_date", str(error))
                return None
            if start > timezone.localdate() or start < born:
                self.add(
                    number,
                    "start_date",
                    "The start date must be between their date of birth and today",
                )
                return None
        if team is None:
            return None
        person = Person(
            organisation=self.organisation,
            given_name=given,
            family_name=family,
            date_of_birth=born,
            nhs_number=number_text,
            external_ref=ref,
        )
        if number_text:
            self.file_nhs[number_text] = ref
        self.new_people[ref] = {"person": person, "team": team, "start": start, "row": number}
        return person

    def _same_person(self, number, person, given, family, born, number_text):
        differs = [
            label
            for label, mine, theirs in (
                ("given name", given, person.given_name),
                ("family name", family, person.family_name),
            )
            if mine and mine.casefold() != theirs.casefold()
        ]
        if born and born != person.date_of_birth:
            differs.append("date of birth")
        if number_text and person.nhs_number and number_text != person.nhs_number:
            differs.append("NHS number")
        if differs:
            self.add(
                number,
                "person_ref",
                f"'{person.external_ref or self.links.get(person.pk)}' is {person.name}, born "
                f"{person.date_of_birth:%d/%m/%Y}, but this row's {' and '.join(differs)} "
                "differ: check the reference",
            )
            return None
        return person

    def concern(self, number, values, person, team):
        ref = values.get("concern_ref", "")
        if not ref:
            self.add(number, "concern_ref", "Enter your reference for the concern")
            return
        if ref in self.file_refs:
            self.add(
                number,
                "concern_ref",
                f"'{ref}' is also on row {self.file_refs[ref]}: give every concern its own "
                "reference",
            )
            return
        self.file_refs[ref] = number
        if ref in self.imported:
            self.skipped += 1
            return
        flagged = set()

        def bad(column, message):
            flagged.add(column)
            self.add(number, column, message)

        occurred = None
        if values.get("occurred_at"):
            try:
                occurred = _moment(values["occurred_at"])
            except ValueError as error:
                bad("occurred_at", str(error))
        categories = []
        for text in (values.get("categories") or "").split(";"):
            if not text.strip():
                continue
            code = self.categories.get(text.strip().casefold())
            if code is None:
                bad(
                    "categories",
                    f"'{text.strip()}' is not a category in your policy. Use one of: "
                    f"{', '.join(c.code for c in self.policy.categories)}",
                )
            else:
                categories.append(code)
        indicators = []
        for text in (values.get("risk_indicators") or "").split(";"):
            if not text.strip():
                continue
            code = self.indicators.get(text.strip().casefold())
            if code is None:
                bad(
                    "risk_indicators",
                    f"'{text.strip()}' is not a risk question in your policy. Use one of: "
                    f"{', '.join(dict.fromkeys(self.indicators.values()))}",
                )
            else:
                indicators.append(code)
        answers = {}
        for name in recording.TEXT_FIELDS:
            answers[name] = values.get(name, "")
        for name, lookup in CHOICES.items():
            text = values.get(name, "")
            if not text:
                answers[name] = ""
                continue
            answers[name] = lookup.get(text.casefold())
            if answers[name] is None:
                bad(
                    name,
                    f"'{text}' is not an answer we know. Use one of: "
                    f"{', '.join(dict.fromkeys(lookup.values()))}",
                )
        shift = ""
        if values.get("shift"):
            shift = self.shifts.get(values["shift"].casefold())
            if shift is None:
                bad("shift", f"Use one of: {', '.join(s.code for s in self.policy.shifts)}")
        recorder = None
        if values.get("recorded_by"):
            recorder = self.users.get(values["recorded_by"].casefold())
            if recorder is None:
                bad(
                    "recorded_by",
                    f"No one with the username '{values['recorded_by']}' works at "
                    f"{self.organisation.name}: use their Sharewise username, or leave it blank",
                )
        for name, limit in CONCERN_LIMITS.items():
            if len(values.get(name) or "") > limit:
                bad(name, f"Shorten this to {limit} characters or fewer")
        draft = recording.Draft(
            people=[person] if person else [],
            occurred_at=occurred,
            service=team.service if team else None,
            team=team,
            categories=categories,
            risk_indicators=indicators,
            answers={k: v for k, v in answers.items() if v},
            shift=shift,
            external_ref=ref,
        )
        problems = recording.problems(draft, self.organisation.pk, self.policy)
        # What is already reported above, in the file's terms, is not repeated.
        if person is None:
            flagged.add("people")
        if team is None:
            flagged |= {"service", "team"}
        for name, messages in problems.items():
            if name in flagged:
                continue
            for message in messages:
                self.add(number, FIELD_COLUMNS.get(name, name), message)
        if not flagged and not problems:
            self.drafts.append((number, draft, recorder))


def _kept(person):
    # A record merged into another (see people.merging) stands for the kept one.
    while getattr(person, "merged_into_id", None):
        person = person.merged_into
    return person


Progress = Callable[[str, int, int], None]


def run(
    table: Table,
    *,
    organisation,
    user,
    dry_run: bool = False,
    progress: Progress | None = None,
    every: int = 500,
    file_name: str = "",
    job_id=None,
) -> Result:
    """Check every row; when all are good (and not dry_run), save them all in one
    transaction. progress(phase, done, total) is called every `every` rows, phase being
    "checking" or "saving"."""
    result = Result(rows=len(table.rows), dry_run=dry_run)
    problems = _header_problems(table.header)
    if problems:
        result.errors = [RowError(1, "", p) for p in problems]
        return result
    version, policy = recording.policy_for(organisation.pk)
    checker = _Checker(table, organisation, user, policy)
    total = len(table.rows)
    has_concerns = any(h in CONCERN_ONLY for h in table.header)
    for done, (number, values) in enumerate(table.rows, start=1):
        team = checker.team(number, values)
        person = checker.person(number, values, team)
        if has_concerns and any(values.get(name) for name in CONCERN_ONLY):
            checker.concern(number, values, person, team)
        if progress and (done % every == 0 or done == total):
            progress("checking", done, total)
    result.errors = sorted(checker.errors, key=lambda e: e.row or 0)
    result.people_matched = len(checker.matched)
    result.concerns_skipped = checker.skipped
    if result.errors:
        return result
    _start_dates(checker)
    if dry_run:
        result.people_created = [e["person"] for e in checker.new_people.values()]
        result.concerns_created = [draft for _, draft, _ in checker.drafts]
        return result
    if progress:
        progress("saving", 0, len(checker.drafts))
    with transaction.atomic():
        result.people_created = _save_people(checker, user)
        concerns = []
        saved_total = len(checker.drafts)
        for done, (_number, draft, recorder) in enumerate(checker.drafts, start=1):
            # The importer is the trail's actor (which is true); where the file names
            # who recorded the concern at the time, the concern says so.
            concerns.append(
                recording.record(
                    None,
                    organisation.pk,
                    draft,
                    actor=user,
                    recorded_by=recorder,
                    in_force=(version, policy),
                    imported=True,
                    together=True,
                )
            )
            if progress and (done % every == 0 or done == saved_total):
                progress("saving", done, saved_total)
            if done % REFRESH_EVERY == 0:
                statistics.refresh(*GROWING)
        statistics.refresh(*GROWING)
        signals.concerns_recorded_together.send(
            Concern, concern_ids=[c.pk for c in concerns], organisation_id=organisation.pk
        )
        result.concerns_created = concerns
        trail.record(
            actor=user,
            action="imported people and concerns",
            object_type="import",
            object_id=job_id or "",
            organisation_id=organisation.pk,
            detail={
                "file": file_name,
                "sha256": table.digest,
                "rows": result.rows,
                "people_created": len(result.people_created),
                "people_matched": result.people_matched,
                "concerns_created": len(concerns),
                "concerns_skipped": result.concerns_skipped,
                "policy_version": version.pk,
            },
        )
    return result


REFRESH_EVERY = 1_000
GROWING = (Person, Enrolment, Concern, ConcernPerson, AwaitingReview)


def _start_dates(checker):
    earliest: dict[str, date] = {}
    for _, draft, _ in checker.drafts:
        ref = draft.people[0].external_ref
        day = timezone.localtime(draft.occurred_at).date()
        if ref in checker.new_people and (ref not in earliest or day < earliest[ref]):
            earliest[ref] = day
    for ref, entry in checker.new_people.items():
        if entry["start"] is None:
            entry["start"] = earliest.get(ref, timezone.localdate())


def _save_people(checker, user):
    people = [e["person"] for e in checker.new_people.values()]
    Person.objects.bulk_create(people, batch_size=500)
    Enrolment.objects.bulk_create(
        [
            Enrolment(person=e["person"], team=e["team"], start_date=e["start"])
            for e in checker.new_people.values()
        ],
        batch_size=500,
    )
    for entry in checker.new_people.values():
        person = entry["person"]
        trail.record(
            actor=user,
            action="imported person",
            object_type="person",
            object_id=person.pk,
            person_id=person.pk,
            organisation_id=person.organisation_id,
            detail={"team": entry["team"].pk, "start_date": entry["start"].isoformat()},
        )
    for pk, ref in checker.links.items():
        Person.objects.filter(pk=pk, external_ref="").update(external_ref=ref)
        trail.record(
            actor=user,
            action="linked import reference",
            object_type="person",
            object_id=pk,
            person_id=pk,
            organisation_id=checker.organisation.pk,
            detail={"external_ref": ref},
        )
    return people
