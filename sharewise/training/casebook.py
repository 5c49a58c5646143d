"""The practice cases shipped as data in `cases/`, one YAML file per case, each
checked against the Case model below. Every person in them is made up.

A case holds what a member of staff would find on a real record (a person, a few
concerns across teams and shifts, the consent position, what the person said), the
answers key (the framework's answers and the decision that are right), and, for a
referral case, the synthetic care record and the names in it that must not leave.

Plain Python and pydantic: no Django, so the scoring can be tested on its own."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

CASES = Path(__file__).parent / "cases"

# The learning log's failure patterns (governance Lesson.Pattern), so a lesson's
# practice measure picks the cases that train against its pattern.
TRAINS = {
    "consent": "Consent treated as the only gate",
    "fragmented": "Risk hidden across teams and shifts",
    "over_sharing": "Sharing more than the minimum",
    "none": "Weighing the decision",
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(Strict):
    given: str = Field(min_length=1)
    family: str = Field(min_length=1)
    preferred: str = ""
    age: int = Field(ge=0, le=120)
    lives: str = Field(min_length=1, description="Where they live or are supported")
    teams: list[str] = Field(min_length=1)

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"


class Concern(Strict):
    days_ago: int = Field(ge=0, le=365)
    team: str
    shift: Literal["early", "late", "night", ""] = ""
    categories: list[str] = Field(min_length=1)
    risk_indicators: list[str] = []
    source: Literal["family", "staff", "another_resident", "stranger", "unknown", "none"]
    text: str = Field(min_length=10)
    persons_words: str = ""


class Party(Strict):
    """Someone named in the care record's text. remove: they are a third party the
    recipient does not need (the alleged source of harm, when the recipient needs to
    know who they are, stays)."""

    key: str = Field(pattern=r"^[a-z_]+$")
    given: str
    family: str = ""
    preferred: str = ""
    role: str = Field(min_length=1, description="What the recipient reads instead")
    remove: bool


class Referral(Strict):
    template: str
    purpose: str
    categories: list[str] = Field(min_length=1)
    record: dict[str, str] = Field(
        min_length=1, description="The synthetic care record: field code -> its value"
    )
    parties: list[Party] = []


class Decision(Strict):
    outcome: Literal[
        "share_with_consent",
        "share_without_consent",
        "share_deidentified",
        "do_not_share",
        "monitor",
    ]
    grounds: list[str] = []


class Key(Strict):
    answers: dict[str, Any] = Field(description="The framework's answers that are right")
    decision: Decision
    why: str = Field(min_length=20, description="The teaching point, shown with the feedback")


class Case(Strict):
    code: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str = Field(min_length=5)
    brief: str = Field(min_length=20)
    kind: Literal["decision", "referral"]
    trains: Literal["consent", "fragmented", "over_sharing", "none"]
    tags: list[str] = []
    person: Person
    concerns: list[Concern] = Field(min_length=1)
    consent: Literal["given", "refused", "withdrawn", "not_sought"]
    not_sought_reason: str = ""
    capacity: Literal["presumed", "has_capacity", "lacks_capacity", "in_doubt"]
    best_interests: Literal["", "share", "do_not_share"] = ""
    said: str = Field(min_length=1, description="What the person said about sharing")
    consent_recorded: bool = False
    open_alerts: int = Field(0, ge=0)
    risk_score: float = Field(0.0, ge=0)
    referral: Referral | None = None
    key: Key

    @property
    def is_child(self) -> bool:
        return self.person.age < 18

    @property
    def trains_label(self) -> str:
        return TRAINS[self.trains]

    def digest(self) -> str:
        """SHA-256 of the case as it is, so a changed case shows against old attempts."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def shown(self) -> dict:
        """The case as the member of staff sees it: without the answers key."""
        return self.model_dump(mode="json", exclude={"key"})


class CaseError(ValueError):
    """A case file that does not hold a valid case: names the file and the field."""


def _problem(path: Path, error: ValidationError) -> str:
    lines = [
        f"{path.name}: {'.'.join(str(p) for p in e['loc']) or '(whole case)'}: {e['msg']}"
        for e in error.errors()
    ]
    return "\n".join(lines)


def read(directory: Path = CASES) -> dict[str, Case]:
    """Every case in the directory, by code, in the order of their files. Raises
    CaseError naming the file and field of the first broken one."""
    found: dict[str, Case] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            raise CaseError(f"{path.name}: not valid YAML: {error}") from None
        try:
            case = Case.model_validate(document)
        except ValidationError as error:
            raise CaseError(_problem(path, error)) from None
        if case.kind == "referral" and case.referral is None:
            raise CaseError(f"{path.name}: referral: a referral case needs its referral")
        if case.code in found:
            raise CaseError(f"{path.name}: code: {case.code} is used by another case")
        found[case.code] = case
    return found


@cache
def cases() -> dict[str, Case]:
    return read()


def get(code: str) -> Case | None:
    return cases().get(code)


def titles() -> dict[str, str]:
    """Every case's code and title, in the order of their files."""
    return {code: case.title for code, case in cases().items()}


def failure_patterns() -> dict[str, str]:
    """Every case's code and the failure pattern it trains against, in the learning
    log's codes ("" for a case that weighs the decision without one)."""
    return {code: "" if c.trains == "none" else c.trains for code, c in cases().items()}
