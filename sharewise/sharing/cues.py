"""Words in the concerns that should make a decider stop and think: a child's age,
money taken, threats, fear of losing contact. Each cue in the sharing policy raises a
"consider" question naming the words that raised it. Cues never decide anything; the
framework only refuses to recommend "do not share" while one is unanswered.

Plain data in, plain data out: (where, text) pairs and the policy's cues."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Cue:
    code: str  # the policy cue's code; answers refer to it as "cue:<code>"
    ground: str  # the override ground it asks about
    question: str
    words: tuple[str, ...]  # what the record says, exactly as written
    evidence: tuple[str, ...]  # where it says it, e.g. "concern 12 (3 Dec 2026)"

    @property
    def key(self) -> str:
        return f"cue:{self.code}"


@cache
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


def _matches(cue, text: str):
    for pattern in cue.patterns:
        for match in _compiled(pattern).finditer(text):
            age = match.groupdict().get("age")
            if age is not None and cue.younger_than and int(age) >= cue.younger_than:
                continue
            yield match.group(0)


def find(texts: Iterable[tuple[str, str]], policy_cues) -> tuple[Cue, ...]:
    """The cues raised by these texts, in policy order. texts: (where, text) pairs;
    policy_cues: the sharing policy's cues."""
    texts = [(where, text) for where, text in texts if text]
    found = []
    for cue in policy_cues:
        words: dict[str, None] = {}
        where_found: dict[str, None] = {}
        for where, text in texts:
            for said in _matches(cue, text):
                words.setdefault(" ".join(said.split()), None)
                where_found.setdefault(where, None)
        if words:
            found.append(
                Cue(cue.code, cue.ground, cue.question, tuple(words)[:5], tuple(where_found))
            )
    return tuple(found)


def questions(texts, policy_cues, evidence: dict) -> list[Cue]:
    """The cues still to ask about. Words that ask about a ground the record already
    proposes are more evidence for it (added to `evidence`: ground -> what the record
    shows -> where), not a second question about the same thing."""
    asked = []
    for cue in find(texts, policy_cues):
        if evidence.get(cue.ground):
            said = ", ".join(f"“{w}”" for w in cue.words)
            evidence[cue.ground][f"The record says {said}"] += list(cue.evidence)
        else:
            asked.append(cue)
    return asked
