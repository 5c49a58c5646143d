"""Audit criteria, the case-file checklist, meetings and supervision."""

from typing import Literal

from pydantic import BaseModel, Field, model_validator

CRITERIA = (
    "alert_undecided",
    "refusal_without_capacity_view",
    "refusal_not_reviewed",
    "decision_incomplete",
    "disclosure_unjustified",
    "concern_reviewed_late",
    "recording_standards",
    "alert_rationale_short",
    "break_glass_unreviewed",
    "decision_review_overdue",
)


Severity = Literal["high", "moderate", "low"]
Owner = Literal["safeguarding_lead", "team_manager", "dpo", "auditor"]


class Criterion(BaseModel):
    """One audit question. Each code names a query in governance/criteria.py; the
    numbers it needs live here so the organisation can tighten them."""

    code: Literal[CRITERIA]
    title: str = Field(min_length=5)
    why: str = Field(min_length=5)
    severity: Severity
    owner: Owner
    enabled: bool = True
    days: int = Field(0, ge=0, le=365)
    min_words: int = Field(0, ge=0, le=200)
    max_rate: float = Field(0.0, ge=0, le=1)
    min_concerns: int = Field(0, ge=0, le=10000)
    words: list[str] = []


class Question(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: str = Field(min_length=5)


class GovernancePolicy(BaseModel):
    criteria: list[Criterion] = Field(min_length=1)
    # Case-file audit: the questions an auditor answers about each sampled record.
    checklist: dict[Literal["concerns", "decisions"], list[Question]]
    max_sample: int = Field(30, ge=1, le=500)
    meeting_every_days: int = Field(28, ge=1, le=365)
    recent_decisions: int = Field(10, ge=0, le=100)
    supervision_every_days: int = Field(56, ge=7, le=365)
    supervision_look_back_days: int = Field(90, ge=7, le=730)
    challenge_prompts: list[str] = Field(min_length=1)
    # Counts below this are shown as "<N" in the evidence pack.
    small_number: int = Field(5, ge=1, le=50)

    @model_validator(mode="after")
    def _unique(self):
        codes = [c.code for c in self.criteria]
        if len(set(codes)) != len(codes):
            raise ValueError("each audit criterion may appear once")
        for kind, questions in self.checklist.items():
            qcodes = [q.code for q in questions]
            if len(set(qcodes)) != len(qcodes) or not qcodes:
                raise ValueError(f"the {kind} checklist needs questions with unique codes")
        return self

    def criterion(self, code: str) -> Criterion | None:
        return next((c for c in self.criteria if c.code == code), None)
