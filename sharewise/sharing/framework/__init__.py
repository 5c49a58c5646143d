"""The information-sharing decision framework: the practitioners' flow from the
government's advice (legitimate purpose, identifiable, confidential, consent, lawful
basis and override grounds, necessity, recipient, telling the person), driven by the
organisation's sharing policy.

Plain data in, plain data out: no database, no request. The same answers, facts and
policy always give the same recommendation. Two promises hold for every input:
"share without consent" always comes with at least one override ground and a lawful
basis, and a refusal is never the end of the matter while someone else is at risk.

terms holds what it works with, steps how it judges, bases which lawful bases fit.
"""

from __future__ import annotations

from dataclasses import replace

from sharewise.sharing.framework.bases import (
    BASIS_FIELDS,
    IDENTIFYING,
    NEEDS_AT_RISK,
    PART_2,
    Choice,
    basis_problems,
    choice_for,
    describe_basis,
    fits,
)
from sharewise.sharing.framework.steps import judge
from sharewise.sharing.framework.terms import (
    BEST_INTERESTS,
    CAPACITY,
    CONSENT,
    DO_NOT_SHARE,
    NOT_SOUGHT_REASONS,
    OUTCOMES,
    SEEK_ADVICE,
    SHARE_DEIDENTIFIED,
    SHARE_WITH_CONSENT,
    SHARE_WITHOUT_CONSENT,
    SHARING,
    YES_NO_UNSURE,
    Answers,
    Basis,
    Facts,
    Proposal,
    Reason,
    Recommendation,
    Work,
    problems,
    proposed,
    quoted,
    risk_building,
    settled,
)

__all__ = [
    "BASIS_FIELDS",
    "BEST_INTERESTS",
    "CAPACITY",
    "CONSENT",
    "DO_NOT_SHARE",
    "IDENTIFYING",
    "NEEDS_AT_RISK",
    "NOT_SOUGHT_REASONS",
    "OUTCOMES",
    "PART_2",
    "SEEK_ADVICE",
    "SHARE_DEIDENTIFIED",
    "SHARE_WITHOUT_CONSENT",
    "SHARE_WITH_CONSENT",
    "SHARING",
    "YES_NO_UNSURE",
    "Answers",
    "Basis",
    "Choice",
    "Facts",
    "Proposal",
    "Reason",
    "Recommendation",
    "basis_problems",
    "choice_for",
    "describe_basis",
    "fits",
    "problems",
    "proposed",
    "recommend",
    "risk_building",
]


def recommend(answers: Answers, facts: Facts, policy) -> Recommendation:
    """The recommendation, its reasons and candidate lawful bases, and what the
    record still needs. policy: a validated SharingPolicy.

    The record speaks as well as the decider: every ground it proposes counts until
    the decider rebuts it with a reason, and while a cue in the concerns is unanswered
    the recommendation is never "do not share"."""
    if found := problems(answers, policy):
        raise ValueError(found)
    w = Work(policy)
    rec = judge(answers, facts, policy, w)
    open_cues = [c for c in facts.cues if c.key not in answers.accepted | set(answers.rebuttals)]
    for cue in open_cues:
        w.need(f"Answer: {cue.question} (the record says: {quoted(cue.words)})")
    if open_cues and rec.outcome == DO_NOT_SHARE:
        w.say(
            "cues.unanswered",
            "The concerns raise questions to answer before deciding not to share: "
            + " ".join(f"{c.question} (they say {quoted(c.words)}.)" for c in open_cues),
        )
        return settled(w, SEEK_ADVICE, ())
    return replace(rec, still_to_record=tuple(w.todo), reasons=tuple(w.reasons))
