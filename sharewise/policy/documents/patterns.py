"""The pattern rules: when concerns together become an alert, and the risk score."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator


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
    severity_weights: dict[
        Literal["low", "moderate", "high", "immediate"], Annotated[float, Field(ge=0)]
    ] = {
        "low": 1,
        "moderate": 2,
        "high": 4,
        "immediate": 8,
    }

    @field_validator("severity_weights")
    @classmethod
    def _every_severity(cls, weights):
        # Scoring reads a weight for every concern's severity.
        if missing := [s for s in ("low", "moderate", "high", "immediate") if s not in weights]:
            raise ValueError("give a weight for every severity; missing: " + ", ".join(missing))
        return weights


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
