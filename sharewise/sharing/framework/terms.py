"""The framework's terms: the answers, facts, reasons, lawful bases and
recommendation it works with, the values each answer allows, and what the record
itself proposes.

Plain data in, plain data out: no database, no request."""

from __future__ import annotations

from dataclasses import dataclass, field

from sharewise.sharing.cues import Cue

SHARE_WITH_CONSENT = "share_with_consent"
SHARE_WITHOUT_CONSENT = "share_without_consent"
SHARE_DEIDENTIFIED = "share_deidentified"
DO_NOT_SHARE = "do_not_share"
SEEK_ADVICE = "seek_advice"

OUTCOMES = {
    SHARE_WITH_CONSENT: "Share with consent",
    SHARE_WITHOUT_CONSENT: "Share without consent",
    SHARE_DEIDENTIFIED: "Share without identifying the person",
    DO_NOT_SHARE: "Do not share",
    SEEK_ADVICE: "Seek advice now",
}
SHARING = {SHARE_WITH_CONSENT, SHARE_WITHOUT_CONSENT, SHARE_DEIDENTIFIED}

YES_NO_UNSURE = ("yes", "no", "unsure")
CONSENT = ("given", "refused", "withdrawn", "not_sought")
NOT_SOUGHT_REASONS = ("unsafe", "prejudice", "cannot_obtain", "emergency")
CAPACITY = ("presumed", "has_capacity", "lacks_capacity", "in_doubt")
BEST_INTERESTS = ("", "share", "do_not_share")


@dataclass(frozen=True)
class Answers:
    """What the decider says, one field per wizard question."""

    purpose: str = "unsure"  # is there a clear, legitimate purpose?
    identifiable: str = "yes"
    confidential: str = "yes"
    consent: str = "not_sought"
    not_sought_reason: str = ""
    capacity: str = "presumed"
    best_interests: str = (
        ""  # when the person lacks capacity: what the best-interests decision says
    )
    grounds: frozenset[str] = frozenset()
    at_risk: str = "unsure"  # the person protected is a child, or an adult at risk
    necessary: str = "unsure"
    recipient: str = ""
    content: str = ""
    channel: str = ""
    proportionality: str = ""
    tell_person: str = ""  # yes, no, or not yet answered
    not_told_reason: str = ""
    # Grounds the record proposes (by ground code) and cues ("cue:<code>") the decider
    # accepted, and those they rebutted, each with the reason they gave.
    accepted: frozenset[str] = frozenset()
    rebuttals: dict[str, str] = field(default_factory=dict)

    def rebutted(self, key: str) -> bool:
        return bool(self.rebuttals.get(key, "").strip()) and key not in self.accepted


@dataclass(frozen=True)
class Proposal:
    """A ground the record itself points to, with the evidence (which concern or
    alert), for the decider to accept or rebut."""

    ground: str
    evidence: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.ground


@dataclass(frozen=True)
class Facts:
    """What Sharewise already knows about the person."""

    is_child: bool = False
    assessed_capacity: str = (
        ""  # "has_capacity" or "lacks_capacity" from a record for this decision
    )
    open_alerts: int = 0
    risk_score: float = 0.0
    risk_threshold: float = 6.0
    staff_implicated: bool = False
    appropriate_policy_adopted: bool = True
    standing: str = ""  # the outcome of the person's standing decision, if any
    consent_recorded: bool = False  # the latest consent record says the person agreed
    categories: tuple[str, ...] = ()  # of the concerns the decision looks at
    best_interests: str = ""  # the recorded best-interests decision: share, do_not_share
    proposals: tuple[Proposal, ...] = ()
    cues: tuple[Cue, ...] = ()


@dataclass(frozen=True)
class Reason:
    rule: str  # the policy rule that applied, cited in the record
    text: str


@dataclass(frozen=True)
class Basis:
    """A candidate lawful basis: why (the ground, or consent), and the articles."""

    ground: str
    article_6: tuple[str, ...]
    article_9: tuple[str, ...]
    schedule_1: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recommendation:
    outcome: str
    reasons: tuple[Reason, ...]
    grounds: tuple[str, ...] = ()
    bases: tuple[Basis, ...] = ()
    still_to_record: tuple[str, ...] = ()
    lead_review: str = ""  # why "do not share" needs the safeguarding lead's review
    share_now: bool = False
    review_days: int | None = None

    @property
    def label(self) -> str:
        return OUTCOMES[self.outcome]

    def rules(self) -> list[str]:
        return [r.rule for r in self.reasons]


@dataclass
class Work:
    policy: object
    reasons: list = field(default_factory=list)
    todo: list = field(default_factory=list)

    def say(self, rule: str, text: str) -> None:
        if rule not in {r.rule for r in self.reasons}:
            self.reasons.append(Reason(rule, text))

    def need(self, text: str) -> None:
        if text not in self.todo:
            self.todo.append(text)


def problems(answers: Answers, policy) -> dict[str, str]:
    """Answers outside the allowed values, by field: a message saying what to choose."""
    found = {}
    for name, allowed in (
        ("purpose", YES_NO_UNSURE),
        ("identifiable", YES_NO_UNSURE),
        ("confidential", YES_NO_UNSURE),
        ("consent", CONSENT),
        ("capacity", CAPACITY),
        ("best_interests", BEST_INTERESTS),
        ("at_risk", YES_NO_UNSURE),
        ("necessary", YES_NO_UNSURE),
        ("tell_person", ("", "yes", "no")),
    ):
        if getattr(answers, name) not in allowed:
            found[name] = "Choose one of: " + ", ".join(a or "(blank)" for a in allowed)
    if answers.not_sought_reason not in ("", *NOT_SOUGHT_REASONS):
        found["not_sought_reason"] = "Choose one of: " + ", ".join(NOT_SOUGHT_REASONS)
    if unknown := set(answers.grounds) - {g.code for g in policy.override_grounds}:
        found["grounds"] = "Not grounds in your policy: " + ", ".join(sorted(unknown))
    return found


def quoted(words) -> str:
    return ", ".join(f"“{word}”" for word in words)


def proposed(facts: Facts) -> list[Proposal]:
    """The record's proposals, with staff implicated always among them when known.
    (Lacking capacity is never proposed: it comes from the capacity answer or record.)"""
    found = [p for p in facts.proposals if p.ground != "lacks_capacity"]
    if facts.staff_implicated and not any(p.ground == "staff_implicated" for p in found):
        found.append(
            Proposal(
                "staff_implicated",
                ("A concern names a member of staff as the alleged source of harm",),
            )
        )
    return found


def risk_building(facts: Facts, policy) -> str:
    """Why not sharing needs the safeguarding lead's review now, or ""."""
    found = []
    if policy.lead_review_when_risk_over_threshold and facts.risk_score >= facts.risk_threshold:
        found.append(
            f"their risk score is {facts.risk_score:g}, "
            f"{'at' if facts.risk_score == facts.risk_threshold else 'over'} the threshold of "
            f"{facts.risk_threshold:g}"
        )
    if policy.lead_review_when_alert_open and facts.open_alerts:
        found.append(
            f"{facts.open_alerts} alert{'s' if facts.open_alerts > 1 else ''} about them "
            f"{'are' if facts.open_alerts > 1 else 'is'} waiting for a decision"
        )
    return "; ".join(found)


def settled(w, outcome, grounds, bases=(), *, share_now=False, lead_review="", review_days=None):
    if outcome == DO_NOT_SHARE and review_days is None:
        review_days = w.policy.review_days
    return Recommendation(
        outcome=outcome,
        reasons=tuple(w.reasons),
        grounds=tuple(grounds) if outcome == SHARE_WITHOUT_CONSENT else (),
        bases=tuple(bases),
        still_to_record=tuple(w.todo),
        lead_review=lead_review,
        share_now=share_now,
        review_days=review_days,
    )


def labels_of(policy, codes) -> str:
    labels = [policy.ground(c).label.lower() for c in codes]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
