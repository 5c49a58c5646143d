"""How long records about a person are kept, by kind of record, and what each period
runs from. The dates themselves are worked out in sharewise/retention/due.py."""

from typing import Literal

from pydantic import BaseModel, Field, model_validator

RECORD_TYPES = (
    "adult_safeguarding",
    "children_safeguarding",
    "sharing_decisions",
    "disclosures",
    "audit_trail",
)
RUNS_FROM = ("last_contact", "last_enquiry_closed")


class Period(BaseModel):
    """One kind of record: kept `years` after the date it runs from; for children's
    records also until the person's `until_age` birthday (one year later when they
    were `older_at` at their last contact), whichever is later."""

    code: Literal[RECORD_TYPES]
    label: str = Field(min_length=3)
    years: int = Field(ge=0, le=100)
    runs_from: Literal[RUNS_FROM] = "last_contact"
    until_age: int = Field(0, ge=0, le=30)
    older_at: int = Field(0, ge=0, le=30)
    years_after_death: int = Field(0, ge=0, le=100)
    basis: str = Field(min_length=5)


class RetentionPolicy(BaseModel):
    periods: list[Period] = Field(min_length=1)
    # The officer's review list is made on this day of each month.
    review_day: int = Field(1, ge=1, le=28)

    @model_validator(mode="after")
    def _each_once(self):
        codes = [p.code for p in self.periods]
        if len(set(codes)) != len(codes):
            raise ValueError("each kind of record may have one retention period")
        return self

    def period(self, code: str) -> Period | None:
        return next((p for p in self.periods if p.code == code), None)
