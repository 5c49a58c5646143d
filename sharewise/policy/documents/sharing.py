"""The decision framework: grounds for sharing without consent, lawful bases, fit
and the cues that prompt a question."""

import re
from typing import Literal

import yaml
from pydantic import BaseModel, Field, field_validator, model_validator

from sharewise.policy.documents.shipped import DEFAULTS, at_most, shipped

Article6 = Literal["a", "b", "c", "d", "e", "f"]
Article9 = Literal["a", "b", "c", "g", "h"]
Schedule1 = Literal["para_6", "para_10", "para_18", "para_19"]


class OverrideGround(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    why: str
    # Empty: the organisation's article_6_default.
    article_6: list[Article6] = []
    article_9: list[Article9] = Field(min_length=1)
    schedule_1: list[Schedule1] = []


class Bases(BaseModel):
    article_6: list[Article6] = Field(min_length=1)
    article_9: list[Article9] = Field(min_length=1)


Consent = Literal["given", "refused", "withdrawn", "not_sought"]
SharingOutcome = Literal["share_with_consent", "share_without_consent"]


class Way(BaseModel):
    """One way a lawful basis fits a decision: everything listed must hold (an empty
    list allows anything)."""

    outcomes: list[SharingOutcome] = Field(min_length=1)
    consent: list[Consent] = []
    consent_recorded: bool = False  # a consent record says the person gave it
    capacity: list[Literal["presumed", "has_capacity", "lacks_capacity"]] = []
    not_sought_reasons: list[Literal["unsafe", "prejudice", "cannot_obtain", "emergency"]] = []
    grounds: list[str] = []  # any one of these override grounds
    categories: list[str] = []  # any one of these categories among the concerns
    at_risk: bool = False  # a child, or an adult at risk, is being protected


class Fit(BaseModel):
    why: str  # said when the basis does not fit: what it needs
    when: list[Way] = Field(min_length=1)


class FitTable(BaseModel):
    """Which lawful bases may go with which decisions. A basis with no row fits none."""

    article_6: dict[Article6, Fit]
    article_9: dict[Article9, Fit]
    schedule_1: dict[Schedule1, Fit]


def _default_fit() -> FitTable:
    return shipped("sharing", "fit", FitTable)


REQUIRED_GROUNDS = {
    "lacks_capacity",
    "vital_interests",
    "others_at_risk",
    "child_at_risk",
    "coercion",
    "staff_implicated",
}


class CueRule(BaseModel):
    """Words in a concern that raise a "consider" question about a ground."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    ground: str
    question: str
    patterns: list[str] = Field(min_length=1)  # regular expressions, any case
    # A pattern's "age" group counts only below this age (a child's age).
    younger_than: int | None = None

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns):
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(
                    f"pattern {pattern!r} is not a regular expression: {error}"
                ) from error
        return patterns


class SharingPolicy(BaseModel):
    article_6_default: list[Article6] = Field(min_length=1)
    max_review_days: int = Field(90, ge=1, le=365)
    review_days: int = Field(28, ge=1, le=365)
    min_rationale_words: int = Field(12, ge=1, le=200)
    # A capacity assessment is decision- and time-specific: how long one counts for.
    capacity_current_days: int = Field(30, ge=1, le=365)
    lead_review_when_risk_over_threshold: bool = True
    lead_review_when_alert_open: bool = True
    consent_basis: Bases
    override_grounds: list[OverrideGround]
    article_6: dict[Article6, str]
    article_9: dict[Article9, str]
    schedule_1: dict[Schedule1, str]
    # Organisations whose policy predates the table take the shipped one.
    fit: FitTable = Field(default_factory=_default_fit)
    # Concerns the framework reads for grounds and cues: the chosen ones, and all those
    # that happened within this many days.
    record_window_days: int = Field(180, ge=1, le=3650)
    cues: list[CueRule] = Field(default_factory=lambda: shipped("sharing", "cues", list[CueRule]))
    why: dict[str, str] = {}

    _review_within = field_validator("review_days")(
        at_most("max_review_days", "days", "the longest a decision not to share may wait")
    )

    @model_validator(mode="after")
    def _consistent(self):
        codes = [g.code for g in self.override_grounds]
        if len(set(codes)) != len(codes):
            raise ValueError("override ground codes must be unique")
        if missing := REQUIRED_GROUNDS - set(codes):
            with open(DEFAULTS / "sharing.yaml", encoding="utf-8") as f:
                shipped = {g["code"]: g["label"] for g in yaml.safe_load(f)["override_grounds"]}
            raise ValueError(
                "the framework relies on these grounds, put them back: "
                + "; ".join(shipped.get(code, code) for code in sorted(missing))
            )
        for ground in self.override_grounds:
            for name, chosen in (
                ("article_6", ground.article_6),
                ("article_9", ground.article_9),
                ("schedule_1", ground.schedule_1),
            ):
                if unnamed := set(chosen) - set(getattr(self, name)):
                    raise ValueError(
                        f"ground {ground.code} names {name} {', '.join(sorted(unnamed))}, "
                        f"which the {name} list does not describe"
                    )
        for name in ("article_6", "article_9", "schedule_1"):
            for code, fit in getattr(self.fit, name).items():
                for way in fit.when:
                    if unknown := set(way.grounds) - set(codes):
                        raise ValueError(
                            f"fit: {name} {code} names grounds the policy does not have: "
                            + ", ".join(sorted(unknown))
                        )
        for cue in self.cues:
            if cue.ground not in codes:
                raise ValueError(f"cue {cue.code} asks about a ground the policy does not have")
        return self

    def ground(self, code: str) -> OverrideGround | None:
        return next((g for g in self.override_grounds if g.code == code), None)

    def ground_labels(self) -> dict[str, str]:
        return {g.code: g.label for g in self.override_grounds}
