"""Sharing's operations: every write about consent, capacity, advice and sharing
decisions, and what the framework needs to know, in one place for the pages, the API
and other apps to call. Each takes the acting request and validated values, raises
ValidationError naming what to fix (writing nothing), and writes the audit trail.

The work is split by job: consent, capacity, facts (what Sharewise already knows),
deciding, countersigning, amendments, advice, history (which decision stands) and
reviews."""

from sharewise.sharing.advice import answer_advice, ask_advice
from sharewise.sharing.amendments import AMENDABLE, amend
from sharewise.sharing.capacity import STAGE_ONE, record_capacity
from sharewise.sharing.consent import record_consent
from sharewise.sharing.countersigning import countersign
from sharewise.sharing.deciding import (
    FAMILY,
    basis_choice,
    contradiction_problem,
    decision_problems,
    departs,
    record_decision,
    unanswered,
)
from sharewise.sharing.facts import answers_from, assess, current_assessment, facts_for
from sharewise.sharing.history import history, settle_standing, standing_and_waiting
from sharewise.sharing.reviews import concerns_after_refusal, review_settled, reviews_due

__all__ = [
    "AMENDABLE",
    "FAMILY",
    "STAGE_ONE",
    "amend",
    "answer_advice",
    "answers_from",
    "ask_advice",
    "assess",
    "basis_choice",
    "concerns_after_refusal",
    "contradiction_problem",
    "countersign",
    "current_assessment",
    "decision_problems",
    "departs",
    "facts_for",
    "history",
    "record_capacity",
    "record_consent",
    "record_decision",
    "review_settled",
    "reviews_due",
    "settle_standing",
    "standing_and_waiting",
    "unanswered",
]
