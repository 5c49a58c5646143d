"""What checking a file's rows shares: everything the file refers to, fetched in a few
queries before the rows are read, and what the file builds up as it is read. The rows
themselves are checked by kind, in people_rows and concern_rows."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from sharewise.concerns import recording
from sharewise.concerns.models import Concern
from sharewise.organisations.models import Team
from sharewise.people import nhs_number
from sharewise.people.access import teams_user_may_enrol
from sharewise.people.models import Person
from sharewise.policy.documents import NO_INDICATOR


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


def by_code_or_label(entries, **more) -> dict[str, str]:
    """{code or label, casefolded: code} for a policy's categories, risk questions or shifts."""
    lookup = dict(more)
    for entry in entries:
        lookup[entry.code.casefold()] = entry.code
        lookup[entry.label.casefold()] = entry.code
    return lookup


def kept(person):
    # A record merged into another (see people.merging) stands for the kept one.
    while getattr(person, "merged_into_id", None):
        person = person.merged_into
    return person


class Check:
    """One file being checked, row by row."""

    def __init__(self, table, organisation, user, policy):
        self.organisation = organisation
        self.user = user
        self.policy = policy
        self.errors: list[RowError] = []
        rows = [values for _, values in table.rows]
        self._fetch_teams(organisation, user)
        self.categories = by_code_or_label(policy.categories)
        self.indicators = by_code_or_label(
            policy.risk_indicators, **{NO_INDICATOR: NO_INDICATOR, "none of these": NO_INDICATOR}
        )
        self.shifts = by_code_or_label(policy.shifts)
        staff = get_user_model().objects.filter(memberships__organisation=organisation)
        self.users = {u.username.casefold(): u for u in staff.distinct()}
        self._fetch_people(rows, organisation, user)
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

    def _fetch_teams(self, organisation, user):
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

    def _fetch_people(self, rows, organisation, user):
        refs = {v.get("person_ref") for v in rows} - {"", None}
        numbers = {nhs_number.normalise(v.get("nhs_number") or "") for v in rows} - {""}
        people = Person.objects.filter(organisation=organisation)
        self.people_by_ref = {p.external_ref: p for p in people.filter(external_ref__in=refs)}
        self.people_by_nhs = {p.nhs_number: p for p in people.filter(nhs_number__in=numbers)}
        found = {kept(p).pk for p in (*self.people_by_ref.values(), *self.people_by_nhs.values())}
        self.visible = set(
            Person.objects.visible_to(user).filter(pk__in=found).values_list("pk", flat=True)
        )

    def add(self, row, column, message):
        self.errors.append(RowError(row, column, message))
