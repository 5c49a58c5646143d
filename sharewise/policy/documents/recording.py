"""The recording policy: categories, shifts, review hours, emergency steps and
recording standards."""

from datetime import time
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from sharewise.policy.documents.shipped import shipped


class Category(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    weight: float = Field(1.0, gt=0)
    children_only: bool = False
    # Abuse of this kind is a crime: the framework proposes the crime ground for it.
    crime: bool = False


NO_INDICATOR = "none"


class RiskIndicator(BaseModel):
    """A quick question on the concern form; ticked, it proposes a ground for sharing
    without consent when a sharing decision is made."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    ground: str  # an override ground code in the sharing policy


class Shift(BaseModel):
    code: str
    label: str
    starts: time


class ReviewHours(BaseModel):
    default: float = Field(24, gt=0)
    immediate_danger: float = Field(1, gt=0)


# The answers a recording standard can check (a concern's text and choice answers,
# and whether the alleged source is named or linked): a misspelt one could never be met.
ANSWER_CHECKS = (
    "facts",
    "persons_words",
    "persons_wishes",
    "sharing_view_reason",
    "immediate_action",
    "who_was_told",
    "source_description",
    "injury_location",
    "reported_by",
    "sharing_view",
    "source_kind",
    "injury",
    "information_source",
    "severity",
    "alleged_source_detail",
    "risk_indicators",
)


class Standard(BaseModel):
    code: str
    when: Literal["always", "disclosed", "unexplained_injury", "refused_or_unable", "source_known"]
    check: Literal[ANSWER_CHECKS]
    message: str
    required: bool = False


class RecordingPolicy(BaseModel):
    categories: list[Category]
    shifts: list[Shift] = Field(min_length=1)
    review_hours: ReviewHours = ReviewHours()
    emergency_steps: list[str] = []
    standards: list[Standard] = []
    risk_indicators: list[RiskIndicator] = Field(
        default_factory=lambda: shipped("recording", "risk_indicators", list[RiskIndicator])
    )

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
        indicators = [i.code for i in self.risk_indicators]
        if len(set(indicators)) != len(indicators) or NO_INDICATOR in indicators:
            raise ValueError(f"risk indicator codes must be unique and not '{NO_INDICATOR}'")
        return self

    def indicator_labels(self) -> dict[str, str]:
        return {i.code: i.label for i in self.risk_indicators}

    def category_labels(self) -> dict[str, str]:
        return {c.code: c.label for c in self.categories}

    def shift_labels(self) -> dict[str, str]:
        return {s.code: s.label for s in self.shifts}
