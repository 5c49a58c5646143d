"""What a concern's answers are: the fields a recorder gives, what each is called, which
may be amended, and the concern as it reads now with its amendments applied."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sharewise.concerns import standards
from sharewise.concerns.models import (
    Concern,
    InformationSource,
    Injury,
    Severity,
    SharingView,
    SourceKind,
)
from sharewise.policy import store

# A recorder's clock may run a little ahead of the server's.
FUTURE_TOLERANCE = timedelta(minutes=5)

TEXT_FIELDS = (
    "facts",
    "persons_words",
    "persons_wishes",
    "sharing_view_reason",
    "immediate_action",
    "who_was_told",
    "source_description",
    "injury_location",
    "reported_by",
)
CHOICE_FIELDS = {
    "sharing_view": SharingView,
    "source_kind": SourceKind,
    "injury": Injury,
    "information_source": InformationSource,
    "severity": Severity,
}
# What each answer is called on the concern page, in amendments and the chronology.
ANSWER_NAMES = {
    "facts": "What happened",
    "persons_words": "Their own words",
    "persons_wishes": "What they want to happen",
    "sharing_view": "Their view on sharing",
    "sharing_view_reason": "Why (their view on sharing)",
    "immediate_action": "What was done straight away",
    "who_was_told": "Who was told",
    "source_kind": "Alleged source of harm",
    "source_staff": "Alleged source: member of staff",
    "source_person": "Alleged source: person we support",
    "source_description": "Alleged source, described",
    "injury": "Injury",
    "injury_location": "Where on the body",
    "information_source": "How we know",
    "reported_by": "Who reported it",
    "occurred_at": "When",
    "categories": "Categories",
    "severity": "Severity",
    "shift": "Shift",
    "risk_indicators": "Risk questions",
}
AMENDABLE = (
    *TEXT_FIELDS,
    "categories",
    "occurred_at",
    "severity",
    "injury",
    "sharing_view",
    "information_source",
    "source_kind",
    "shift",
    "risk_indicators",
    *("source_staff", "source_person"),
)
# Amendable answers that link to a record: kept as ids in an amendment's changes, and
# on the concern's own row as the alleged source currently known (every visibility
# rule reads source_staff there).
LINKS = ("source_staff", "source_person")


@dataclass
class Draft:
    """What a recorder gives, already parsed into Python values."""

    people: list
    occurred_at: datetime | None
    service: object
    team: object
    categories: list[str]
    answers: dict = field(default_factory=dict)  # text and choice fields by name
    shift: str = ""
    source_staff: object = None
    source_person: object = None
    external_ref: str = ""
    risk_indicators: list[str] = field(default_factory=list)


def policy_for(organisation_id):
    return store.in_force(organisation_id, "recording")


def current(concern: Concern) -> dict:
    """The concern as it reads now: the original with every amendment applied."""
    values = {name: getattr(concern, name) for name in AMENDABLE if name not in LINKS}
    values |= {name: getattr(concern, f"{name}_id") for name in LINKS}
    for amendment in concern.amendments.all():
        for name, change in amendment.changes.items():
            values[name] = change["to"]
    return values


def as_recorded(concern: Concern, name: str):
    """A linked answer (source_staff, source_person) as first recorded: the row holds
    it as now known, and the first amendment that changed it says what it was."""
    for amendment in concern.amendments.all():
        if name in amendment.changes:
            return amendment.changes[name]["from"]
    return getattr(concern, f"{name}_id")


def unmet_now(concern: Concern, policy) -> list:
    """Standards the concern, as amended, still does not meet. (The list stored on the
    concern stays as it was when recorded: audits count that.)"""
    answers = {
        **current(concern),
        "source_staff": concern.source_staff_id,
        "source_person": concern.source_person_id,
    }
    return standards.unmet(answers, policy.standards)
