"""Policy documents as validated data. The shipped YAML is the default; each
organisation holds its own versions in the database."""

from datetime import time
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, field_validator, model_validator

DEFAULTS = Path(__file__).parent / "defaults"


class Category(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    weight: float = Field(1.0, gt=0)
    children_only: bool = False


class Shift(BaseModel):
    code: str
    label: str
    starts: time


class ReviewHours(BaseModel):
    default: float = Field(24, gt=0)
    immediate_danger: float = Field(1, gt=0)


class Standard(BaseModel):
    code: str
    when: Literal["always", "disclosed", "unexplained_injury", "refused_or_unable", "source_known"]
    check: str
    message: str
    required: bool = False


class RecordingPolicy(BaseModel):
    categories: list[Category]
    shifts: list[Shift] = Field(min_length=1)
    review_hours: ReviewHours = ReviewHours()
    emergency_steps: list[str] = []
    standards: list[Standard] = []

    @field_validator("shifts")
    @classmethod
    def _sorted_shifts(cls, shifts):
        starts = [s.starts for s in shifts]
        if len(set(starts)) != len(starts):
            raise ValueError("two shifts start at the same time")
        return sorted(shifts, key=lambda s: s.starts)

    @model_validator(mode="after")
    def _unique_codes(self):
        codes = [c.code for c in self.categories]
        if len(set(codes)) != len(codes):
            raise ValueError("category codes must be unique")
        return self

    def category_labels(self) -> dict[str, str]:
        return {c.code: c.label for c in self.categories}

    def shift_labels(self) -> dict[str, str]:
        return {s.code: s.label for s in self.shifts}


class WindowRule(BaseModel):
    enabled: bool = True
    concerns: int = Field(3, ge=1)
    days: int = Field(90, ge=1, le=3650)


class CrossTeamRule(BaseModel):
    enabled: bool = True
    teams: int = Field(2, ge=2)
    days: int = Field(60, ge=1, le=3650)


class CommonSourceRule(BaseModel):
    enabled: bool = True
    people: int = Field(2, ge=2)
    days: int = Field(180, ge=1, le=3650)


class SameHarmRule(BaseModel):
    enabled: bool = True
    concerns: int = Field(3, ge=2)
    people: int = Field(2, ge=1)
    days: int = Field(60, ge=1, le=3650)


class Switch(BaseModel):
    enabled: bool = True


class RiskScoreRule(BaseModel):
    enabled: bool = True
    threshold: float = Field(6.0, gt=0)
    half_life_days: float = Field(60, gt=0)
    severity_weights: dict[Literal["low", "moderate", "high", "immediate"], float] = {
        "low": 1,
        "moderate": 2,
        "high": 4,
        "immediate": 8,
    }


class AlertDecisionRule(BaseModel):
    min_rationale_words: int = Field(8, ge=1, le=200)
    max_monitor_days: int = Field(180, ge=1, le=730)


class PatternPolicy(BaseModel):
    cumulative: WindowRule = WindowRule(concerns=3, days=90)
    cross_team: CrossTeamRule = CrossTeamRule()
    refused_repeated: WindowRule = WindowRule(concerns=2, days=30)
    common_source: CommonSourceRule = CommonSourceRule()
    same_harm_at_service: SameHarmRule = SameHarmRule()
    unexplained_injuries: WindowRule = WindowRule(concerns=2, days=30)
    escalating_severity: WindowRule = WindowRule(concerns=3, days=90)
    staff_implicated: Switch = Switch()
    risk_score: RiskScoreRule = RiskScoreRule()
    overdue_review: Switch = Switch()
    decisions: AlertDecisionRule = AlertDecisionRule()


KINDS = {"recording": RecordingPolicy, "patterns": PatternPolicy}


@cache
def default(kind: str):
    with open(DEFAULTS / f"{kind}.yaml", encoding="utf-8") as f:
        return KINDS[kind].model_validate(yaml.safe_load(f))
