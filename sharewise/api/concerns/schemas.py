"""What the concern operations take and give back."""

from datetime import datetime

from ninja import Field, Schema

from sharewise.api.inputs import Input


class ConcernIn(Input):
    person_ids: list[int]
    occurred_at: datetime
    team_id: int
    shift: str = ""
    categories: list[str]
    risk_indicators: list[str] = Field(
        [],
        description="The quick risk questions that apply, by code from the recording "
        "policy's risk_indicators (children, others_reachable, crime, coercion, "
        'serious_harm_now, source_works_for_us by default), or ["none"] when none does',
    )
    information_source: str
    reported_by: str = ""
    facts: str = ""
    persons_words: str = ""
    persons_wishes: str = ""
    sharing_view: str
    sharing_view_reason: str = ""
    injury: str = "none"
    injury_location: str = ""
    source_kind: str = "unknown"
    source_staff_id: int | None = None
    source_person_id: int | None = None
    source_description: str = ""
    immediate_action: str = ""
    who_was_told: str = ""
    severity: str
    external_ref: str = ""


class StandardOut(Schema):
    code: str
    message: str


class ConcernAmendmentOut(Schema):
    id: int
    amended_at: datetime
    amended_by: str
    reason: str
    changes: dict


class ReviewOut(Schema):
    reviewed_at: datetime
    reviewed_by: str
    outcome: str
    rationale: str


class ConcernOut(Schema):
    id: int
    person_ids: list[int]
    recorded_at: datetime
    recorded_by: str
    occurred_at: datetime
    service_id: int
    service: str
    team_id: int
    team: str
    shift: str
    categories: list[str]
    risk_indicators: list[str]
    severity: str
    sharing_view: str
    facts: str
    persons_words: str
    persons_wishes: str
    immediate_action: str
    who_was_told: str
    injury: str
    injury_location: str
    information_source: str
    source_kind: str
    source_staff_id: int | None
    source_person_id: int | None
    source_description: str
    unmet_standards: list[StandardOut]
    review_due_at: datetime
    overdue: bool
    policy_version: int
    current: dict
    amendments: list[ConcernAmendmentOut]
    review: ReviewOut | None


class AmendmentIn(Input):
    reason: str
    changes: dict


class ReviewIn(Input):
    outcome: str
    rationale: str


class ConcernSummary(Schema):
    id: int
    person_ids: list[int]
    occurred_at: datetime
    service: str
    team: str
    shift: str
    categories: list[str]
    severity: str
    review_due_at: datetime
    status: str


class ConcernPage(Schema):
    count: int
    page: int
    pages: int
    results: list[ConcernSummary]


class ChronologyEntryOut(Schema):
    kind: str
    at: datetime
    concern_id: int
    service: str
    team: str
    shift: str
    severity: str
    categories: list[str]
    summary: str
    by: str
    title: str = Field("", description="For consent, capacity and sharing decisions")
    url: str = Field("", description="Where a consent, capacity or decision entry is shown")


class ChronologyOut(Schema):
    person_id: int
    concerns: int
    teams: list[str]
    services: list[str]
    count: int = Field(description="Entries in the whole chronology, on every page")
    page: int
    pages: int
    entries: list[ChronologyEntryOut] = Field(description="This page's entries, newest first")


class ImportJobOut(Schema):
    id: int
    organisation_id: int
    file_name: str
    status: str = Field(description="queued, checking, saving, done or failed")
    created_at: datetime
    created_by: str
    started_at: datetime | None
    finished_at: datetime | None
    rows_total: int
    rows_done: int = Field(description="Rows checked, or concerns saved while saving")
    summary: str
    errors: list[dict] = Field(
        description="Each problem to fix in the file: {row, column, message}; nothing is "
        "imported unless every row is good"
    )
