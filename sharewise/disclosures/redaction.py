"""Finding other people's names in a referral's free text, so they can be replaced
by a label ("[another resident]") before the referral leaves the organisation.

A referral is about one person, and sometimes names the alleged source of harm.
Anyone else it names (another resident, a member of staff, a family member, a
witness) has not agreed to be in it, and the recipient rarely needs to know who
they are. This module finds those names; the sender reviews the result and can
add spans by hand for anything it missed.

What counts as a name, always as whole words and in any case:
  - the full name, "Margaret Hale", also with the preferred name, "Peggy Hale",
    and with the preferred name quoted or bracketed, "Margaret 'Peggy' Hale";
  - a title and the family name, "Mrs Hale", "Dr. Hale" (the title is redacted too);
  - for people linked to this case, the given or preferred name alone, "Peggy".
An unlinked person's given name alone never counts: an organisation knows
thousands of people and "Rose", "May" and "Will" are ordinary words. Nor does a
family name without a title.

What it cannot catch: misspellings, initials ("M. Hale"), "Hale, Margaret", and
anyone who is not in the index. It is an aid to the sender's reading, not a
replacement for it.

Plain Python with no Django, so that it can be read, and tested, on its own.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

DEFAULT_ROLE = "another person"
TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "mx"})

# A letter or digit, or a combining accent: "José" typed with a separate accent
# is still one word, so no part of it is redacted.
_CHAR = r"(?:[^\W_]|[\u0300-\u036f])"
# Hyphens and apostrophes between letters join words: "Hale-Bopp" and "O'Brien"
# are single words, so "Hale" and "Brien" never match inside them.
_WORD = re.compile(rf"{_CHAR}+(?:[-\u2010\u2011'\u2018\u2019]{_CHAR}+)*")
_APOSTROPHES = "'\u2018\u2019\u02bc"
# What may separate a title from the name: "Mrs Hale", "Mrs. Hale", "Mrs.Hale".
_TITLE_GAP = re.compile(r"\.?\s*")
# Around a quoted or bracketed preferred name: "Margaret 'Peggy' Hale".
_OPEN = re.compile(r"\s+[\"'\u2018\u201c(\[]")
_CLOSE = re.compile(r"[\"'\u2019\u201d)\]]\s+")
_SPACE, _OPENS, _CLOSES = " ", "(", ")"


@dataclass(frozen=True)
class Party:
    """Someone whose name may appear in free text. Several Party entries may share
    a key, for a person known by more than one name (a former family name)."""

    key: str
    given: str
    family: str
    preferred: str = ""
    role: str = ""  # what the reader sees instead of the name


@dataclass(frozen=True)
class Span:
    """text[start:end] is replaced by label. The key says whose name it is, or
    "manual" for a span the sender added."""

    start: int
    end: int
    key: str
    label: str


class _Form(NamedTuple):
    """One way of writing one party's name. Its tokens are the key it is stored
    under in the index, so they are not repeated here."""

    key: str
    label: str
    gaps: tuple[str, ...]  # what must separate the tokens: _SPACE, _OPENS or _CLOSES
    needs_title: bool  # a family name alone is a name only after a title


# first token -> number of tokens -> tokens -> forms
_Table = dict[str, dict[int, dict[tuple[str, ...], list[_Form]]]]


class Index:
    """Every party's names, looked up by their first word, so that finding names
    in a text costs one dictionary lookup per word of the text, however many
    parties there are. Build it once and reuse it for many texts."""

    def __init__(self, table: _Table, alone: dict[str, tuple[tuple[str, ...], ...]]):
        self._table = table
        # Every party's given and preferred names, linked or not: find() needs them
        # for the kept parties, who are only known once a referral is written.
        self._alone = alone

    def __repr__(self) -> str:
        return f"<Index of {len(self._alone)} parties>"


def _words(text: str) -> list[tuple[int, int, str]]:
    """The words of a text as (start, end, normalised word), with a possessive 's
    left outside the word so that "Hale's" is found as "Hale"."""
    words = []
    for match in _WORD.finditer(text):
        start, end = match.span()
        word = match.group()
        if len(word) > 2 and word[-2] in _APOSTROPHES and word[-1] in "sS":
            end -= 2
            word = word[:-2]
        words.append((start, end, _normalise(word)))
    return words


def _normalise(word: str) -> str:
    if not word.isascii():
        word = unicodedata.normalize("NFC", word)
    return word.casefold()


@functools.lru_cache(maxsize=100_000)  # an organisation's names repeat a lot
def _tokens(name: str) -> tuple[str, ...]:
    return tuple(word for _, _, word in _words(name))


def _gap(between: str) -> str:
    if between.isspace():
        return _SPACE
    if _OPEN.fullmatch(between):
        return _OPENS
    if _CLOSE.fullmatch(between):
        return _CLOSES
    return ""  # anything else (a comma, a full stop) ends a name


def _label(party: Party) -> str:
    return f"[{party.role.strip() or DEFAULT_ROLE}]"


def _add(table: _Table, tokens: tuple[str, ...], form: _Form) -> None:
    by_length = table.setdefault(tokens[0], {})
    by_length.setdefault(len(tokens), {}).setdefault(tokens, []).append(form)


@functools.cache
def _spaced_n(count: int) -> tuple[str, ...]:
    return (_SPACE,) * (count - 1)


def _spaced(*parts: tuple[str, ...]) -> tuple[str, ...]:
    """The gaps of a name written with spaces alone."""
    return _spaced_n(sum(map(len, parts)))


# tokens, the gaps between them, and whether a title must come first
_Shape = tuple[tuple[str, ...], tuple[str, ...], bool]


def _forms(party: Party, linked: bool) -> Iterator[_Shape]:
    """The ways of writing this party's name that count."""
    given, family, preferred = _tokens(party.given), _tokens(party.family), _tokens(party.preferred)
    firsts = [name for name in dict.fromkeys((given, preferred)) if name]  # may be the same
    if family:
        yield family, _spaced(family), True
        for first in firsts:
            yield first + family, _spaced(first, family), False
        if given and preferred:
            gaps = _spaced(given) + (_OPENS,) + _spaced(preferred) + (_CLOSES,) + _spaced(family)
            yield given + preferred + family, gaps, False
    elif given:
        # A single name is both given and family name: "Mx Rowan" always, and
        # "Rowan" alone only when linked, as for anyone else.
        yield given, _spaced(given), True
    if linked:
        for first in firsts:
            yield first, _spaced(first), False


def build_index(parties: Iterable[Party], *, linked: Iterable[str] = ()) -> Index:
    """linked: the keys of people linked to this case (named in the concern, its
    witnesses, the person's family), whose given and preferred names alone are
    specific enough to redact."""
    linked = frozenset(linked)
    table: _Table = {}
    alone: dict[str, tuple[tuple[str, ...], ...]] = {}
    for party in parties:
        label = _label(party)
        for tokens, gaps, needs_title in _forms(party, party.key in linked):
            _add(table, tokens, _Form(party.key, label, gaps, needs_title))
        names = (_tokens(party.given), _tokens(party.preferred))
        alone[party.key] = alone.get(party.key, ()) + tuple(name for name in names if name)
    return Index(table, alone)


def _kept_names(index: Index, keep: frozenset[str]) -> _Table:
    """The kept parties' given and preferred names alone. They are never redacted,
    and they shield a linked party with the same first name ("Margaret" when the
    person referred is also a Margaret)."""
    table: _Table = {}
    for key in sorted(keep):
        for name in index._alone.get(key, ()):
            _add(table, name, _Form(key, "", _spaced(name), False))
    return table


def find(text: str, index: Index, *, keep: Iterable[str] = ()) -> list[Span]:
    """The names in text to redact, sorted and never overlapping.

    keep: the parties whose names stay (the person referred, and the alleged
    source of harm when the recipient needs to know who they are)."""
    keep = frozenset(keep)
    words = _words(text)
    norms = [word for _, _, word in words]
    gaps = [_gap(text[words[i][1] : words[i + 1][0]]) for i in range(len(words) - 1)]
    tables = (index._table, _kept_names(index, keep))

    # Every match, by the range of words it covers (a title included).
    found: dict[tuple[int, int], list[_Form]] = {}
    for i, word in enumerate(norms):
        titled = (
            i > 0
            and norms[i - 1] in TITLES
            and _TITLE_GAP.fullmatch(text[words[i - 1][1] : words[i][0]]) is not None
        )
        for table in tables:
            for length, names in table.get(word, {}).items():
                forms = names.get(tuple(norms[i : i + length]))
                if not forms:
                    continue
                between = tuple(gaps[i : i + length - 1])
                start = i - 1 if titled else i
                for form in forms:
                    if form.gaps == between and (titled or not form.needs_title):
                        found.setdefault((start, i + length), []).append(form)

    # The longest match wins (a title and full name over a full name over a given
    # name), then the leftmost; whatever overlaps a winner is dropped.
    taken = [False] * len(words)
    spans = []
    for first, last in sorted(found, key=lambda match: (match[0] - match[1], match[0])):
        if any(taken[first:last]):
            continue
        taken[first:last] = [True] * (last - first)
        forms = found[(first, last)]
        # When the same words name a kept party and someone else ("Mrs Hale" when
        # the person referred is a Hale too), keep wins: redacting the person the
        # referral is about would make it useless, and the text most likely means them.
        if any(form.key in keep for form in forms):
            continue
        labels = {form.label for form in forms}
        # Two other people with the same name: say no more than both share.
        label = labels.pop() if len(labels) == 1 else f"[{DEFAULT_ROLE}]"
        key = min(form.key for form in forms)
        spans.append(Span(words[first][0], words[last - 1][1], key, label))
    return sorted(spans, key=lambda span: span.start)


def apply(text: str, spans: Iterable[Span]) -> str:
    """text with each span replaced by its label and every other character left as
    it was. Spans may come in any order; where two overlap (a span added by hand
    over a found one) the text of both is removed and the label of the one that
    starts first, or is longer, is shown, so nothing either covered survives."""
    ordered = sorted(spans, key=lambda span: (span.start, -span.end))
    for span in ordered:
        if not 0 <= span.start < span.end <= len(text):
            raise ValueError(f"span {span.start}:{span.end} is outside a text of {len(text)}")
    parts, done = [], 0
    for span in ordered:
        if span.start >= done:
            parts += [text[done : span.start], span.label]
        # A span overlapping the one before only widens what is removed.
        done = max(done, span.end)
    parts.append(text[done:])
    return "".join(parts)
