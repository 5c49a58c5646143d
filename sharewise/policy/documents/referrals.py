"""Written policies staff read, and the referral templates."""

from pydantic import BaseModel, Field, model_validator


class WrittenPolicy(BaseModel):
    """A policy people read rather than a machine: the information-sharing policy and
    the appropriate policy document. Decisions link to the version in force."""

    title: str = Field(min_length=3, max_length=200)
    adopted: bool = False
    owner: str = ""
    body: str = Field(min_length=20)


class ReferralField(BaseModel):
    label: str
    source: str = Field(pattern=r"^(sender|[a-z_]+\.[a-z_]+|decision\.[a-z_]+)$")
    free_text: bool = False
    whole_record: bool = False
    # For a sender's field answered by ticking (the section 42 criteria).
    options: list[str] = []


class Section(BaseModel):
    title: str
    fields: list[str] = Field(min_length=1)


class Minimum(BaseModel):
    always: list[str] = Field(min_length=1)
    categories: dict[str, list[str]] = {}
    purposes: dict[str, list[str]] = {}


class ReferralTemplate(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    recipient: str
    purposes: list[str] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    minimum: Minimum

    def field_codes(self) -> list[str]:
        return [code for section in self.sections for code in section.fields]


class ReferralPolicy(BaseModel):
    allowance: int = Field(2, ge=0, le=50)
    # A disclosure to a partner not acknowledged after these days is chased, once.
    acknowledgement_chase_days: int = Field(7, ge=1, le=90)
    # The oversight dashboard lists agreements whose review date is this close.
    agreement_review_days: int = Field(30, ge=0, le=365)
    fields: dict[str, ReferralField]
    templates: list[ReferralTemplate] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_fields(self):
        codes = [t.code for t in self.templates]
        if len(set(codes)) != len(codes):
            raise ValueError("template codes must be unique")
        for t in self.templates:
            listed = t.field_codes()
            if unknown := set(listed) - set(self.fields):
                raise ValueError(f"template {t.code} lists unknown fields: {sorted(unknown)}")
            if len(set(listed)) != len(listed):
                raise ValueError(f"template {t.code} lists a field in two sections")
            needed = set(t.minimum.always)
            needed |= {f for fs in t.minimum.categories.values() for f in fs}
            needed |= {f for fs in t.minimum.purposes.values() for f in fs}
            if missing := needed - set(listed):
                raise ValueError(
                    f"template {t.code} needs fields none of its sections hold: {sorted(missing)}"
                )
            if whole := [f for f in needed if self.fields[f].whole_record]:
                raise ValueError(f"a whole record is never part of a minimum: {whole}")
        return self

    def template(self, code: str) -> ReferralTemplate | None:
        return next((t for t in self.templates if t.code == code), None)
