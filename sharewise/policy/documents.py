"""Policy documents as validated data. The shipped YAML is the default; each
organisation holds its own versions in the database."""

import re
from datetime import time
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    Field,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)

DEFAULTS = Path(__file__).parent / "defaults"


def _shipped(kind: str, key: str, model):
    """One part of a shipped policy, for versions an organisation saved before it
    existed."""
    with open(DEFAULTS / f"{kind}.yaml", encoding="utf-8") as f:
        return TypeAdapter(model).validate_python(yaml.safe_load(f)[key])


def _at_most(other: str, unit: str, words: str):
    """A check that a setting is no more than an earlier one; its error sits on this
    setting and finishes a sentence naming it."""

    def check(value, info: ValidationInfo):
        limit = info.data.get(other)
        if limit is not None and value > limit:
            raise ValueError(f"may not be more than {words} ({limit:g} {unit})")
        return value

    return check


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
        default_factory=lambda: _shipped("recording", "risk_indicators", list[RiskIndicator])
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
    return _shipped("sharing", "fit", FitTable)


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
    cues: list[CueRule] = Field(default_factory=lambda: _shipped("sharing", "cues", list[CueRule]))
    why: dict[str, str] = {}

    _review_within = field_validator("review_days")(
        _at_most("max_review_days", "days", "the longest a decision not to share may wait")
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


Severity = Literal["high", "moderate", "low"]
Owner = Literal["safeguarding_lead", "team_manager", "dpo", "auditor"]
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


PRIVILEGED = ("safeguarding_lead", "dpo", "auditor", "administrator")
StaffRole = Literal[
    "care_worker", "team_manager", "safeguarding_lead", "dpo", "auditor", "administrator"
]


class SecondFactor(BaseModel):
    everyone: bool = False
    step_up_minutes: int = Field(15, ge=1, le=240)


class Sessions(BaseModel):
    idle_minutes: int = Field(30, ge=5, le=480)
    idle_minutes_privileged: int = Field(15, ge=5, le=480)
    absolute_hours: int = Field(12, ge=1, le=24)
    absolute_hours_privileged: int = Field(8, ge=1, le=24)

    _idle = field_validator("idle_minutes_privileged")(
        _at_most("idle_minutes", "minutes", "for everyone else")
    )
    _absolute = field_validator("absolute_hours_privileged")(
        _at_most("absolute_hours", "hours", "for everyone else")
    )


class TokenLimits(BaseModel):
    max_days: int = Field(90, ge=1, le=366)
    default_days: int = Field(30, ge=1, le=366)

    _within = field_validator("default_days")(
        _at_most("max_days", "days", "the longest a token may last")
    )


class RefusedAccess(BaseModel):
    notice_after: int = Field(10, ge=1, le=1000)
    window_minutes: int = Field(60, ge=1, le=1440)


class AccessPolicy(BaseModel):
    privileged_roles: list[StaffRole] = list(PRIVILEGED)
    second_factor: SecondFactor = SecondFactor()
    sessions: Sessions = Sessions()
    api_tokens: TokenLimits = TokenLimits()
    refused_access: RefusedAccess = RefusedAccess()

    @field_validator("privileged_roles")
    @classmethod
    def _keeps_the_four(cls, roles):
        if missing := [r for r in PRIVILEGED if r not in roles]:
            raise ValueError(
                "safeguarding leads, data protection officers, auditors and administrators "
                f"always need a second factor: put back {', '.join(missing)}"
            )
        return list(dict.fromkeys(roles))

    def is_privileged(self, roles) -> bool:
        return any(r in self.privileged_roles for r in roles)


KINDS = {
    "recording": RecordingPolicy,
    "patterns": PatternPolicy,
    "sharing": SharingPolicy,
    "information_sharing": WrittenPolicy,
    "appropriate_policy": WrittenPolicy,
    "referrals": ReferralPolicy,
    "governance": GovernancePolicy,
    "access": AccessPolicy,
}
WRITTEN = ("information_sharing", "appropriate_policy")


@cache
def default(kind: str):
    with open(DEFAULTS / f"{kind}.yaml", encoding="utf-8") as f:
        return KINDS[kind].model_validate(yaml.safe_load(f))
