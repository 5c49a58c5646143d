"""Is this the same person recorded twice? Plain data in, plain data out.

Two records are a likely duplicate when they share an NHS number, or when they share
a date of birth and both names are alike: the same after ignoring case, accents,
spaces and punctuation; a letter or two apart (typos); a known form of the same
given name (Bill and William); an initial; or given and family names swapped.
Different NHS numbers mean different people, whatever the names say.

No database here: sharewise.people.merging fetches the few candidates (same
organisation, same date of birth or NHS number) and passes them in."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

# Names that are forms of one another. A name may sit in several groups (Pat).
NAME_FORMS = (
    "william bill billy will willie willy liam wills",
    "margaret peggy peg maggie meg megan madge marge margie greta rita maisie",
    "elizabeth liz lizzie lizzy beth betty bette bess bessie betsy eliza elsie libby lisa",
    "john jon jack johnny jonny jonnie",
    "jonathan jon jonny jonty nathan",
    "robert bob bobby rob robbie bert",
    "albert bert bertie al",
    "richard dick rick ricky richie rich",
    "james jim jimmy jamie",
    "thomas tom tommy",
    "edward ed eddie eddy ted teddy ned",
    "edwin ed eddie",
    "catherine katherine kathryn catharine kate kath kathy katie cathy kitty kay",
    "patricia pat patty trish tricia",
    "patrick pat paddy",
    "susan sue susie suzy",
    "dorothy dot dottie dolly dora",
    "mary molly polly mae may mamie",
    "ann anne anna annie nan nancy nanette",
    "alexander alex alec sandy sasha",
    "alexandra alex sandra sandy lexi",
    "charles charlie chas chuck",
    "frederick fred freddie freddy",
    "henry harry hank hal",
    "harold harry hal",
    "michael mike mick micky mickey",
    "christopher chris kit",
    "christine christina chris chrissie tina",
    "joseph joe joey",
    "josephine jo josie",
    "anthony antony tony",
    "peter pete",
    "stephen steven steve stevie",
    "david dave davy",
    "daniel dan danny",
    "samuel sam sammy",
    "samantha sam sammy",
    "victoria vicky vicki tori",
    "deborah debra debbie deb",
    "rebecca becky becca",
    "jennifer jenny jen",
    "gerald gerard gerry jerry",
    "leonard len lenny",
    "kenneth ken kenny",
    "ronald ron ronnie",
    "donald don donnie",
    "arthur art artie",
    "walter wally walt",
    "barbara barb babs",
    "helen ellen eleanor elinor nell nellie ellie nora",
    "florence flo flossie",
    "winifred winnie freda",
    "gwendoline gwendolen gwen",
    "jacqueline jackie jacqui",
    "pamela pam",
    "valerie val",
    "sarah sara sally sadie",
    "nicholas nick nicky",
    "nicola nicole nicky nikki",
    "andrew andy drew",
    "matthew matt",
    "benjamin ben benny",
    "timothy tim timmy",
    "philip phillip phil pip",
    "raymond ray",
    "terence terrence terry",
    "lawrence laurence larry laurie",
    "geoffrey jeffrey geoff jeff",
    "douglas doug dougie",
    "francis frances frank fran frankie",
    "gregory greg",
    "mohammed muhammad mohammad mohamed mohamad mo",
    "abdullah abdul",
    "isabel isabella isobel izzy bella",
    "gillian jillian gill jill",
    "theodore theo ted teddy",
    "agnes aggie nessie",
    "ernest ernie",
    "stanley stan",
    "sidney sydney sid",
    "clifford cliff",
    "reginald reg reggie",
    "wilfred wilf",
    "herbert herb bert",
)
_FORMS: dict[str, frozenset[int]] = {}
for _group, _names in enumerate(NAME_FORMS):
    for _name in _names.split():
        _FORMS[_name] = _FORMS.get(_name, frozenset()) | {_group}

# Points towards the score (out of 100): a shared date of birth and two alike names.
SAME_DOB = 40
NAME_POINTS = {"same": 30, "form": 25, "one": 20, "part": 20, "two": 15, "initial": 10}
SWAPPED_POINTS = 40  # both names, swapped
CERTAIN = 100


@dataclass(frozen=True)
class Details:
    """What is compared about a person; id is None for someone not yet recorded."""

    id: int | None
    given_name: str
    family_name: str
    date_of_birth: date
    preferred_name: str = ""
    nhs_number: str = ""


@dataclass(frozen=True)
class Match:
    id: int | None
    score: int  # 1 to 100
    reasons: tuple[str, ...]

    @property
    def explanation(self) -> str:
        return "; ".join(self.reasons)


@lru_cache(maxsize=65_536)
def _fold(text: str) -> str:
    """Lower case, accents dropped, only letters and digits kept."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(c for c in decomposed if c.isalnum())


class _Name(NamedTuple):
    text: str  # as written
    fold: str
    part: bool = False  # one word of a longer name
    preferred: bool = False


@lru_cache(maxsize=65_536)
def _parts(text: str, preferred: bool = False) -> tuple[_Name, ...]:
    """The whole name and, if it has several words or hyphenated parts, each part:
    "Mary-Ann" can be Mary."""
    text = (text or "").strip()
    names = [_Name(text, _fold(text), False, preferred)]
    words = [w for w in text.replace("-", " ").split() if _fold(w)]
    if len(words) > 1:
        names += [_Name(w, _fold(w), True, preferred) for w in words]
    return tuple(names)


def _digits(text: str) -> str:
    return "".join(c for c in (text or "") if c.isdigit())


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Letters added, removed, changed or swapped with a neighbour (optimal string
    alignment distance). With a limit, stops early once it must exceed it, and then
    returns some number above the limit."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if limit is not None and min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[len(b)]


@lru_cache(maxsize=65_536)
def _typos(a: str, b: str, limit: int) -> int:
    # Common names meet again and again across a large organisation.
    return edit_distance(a, b, limit)


def _typo_limit(a: str, b: str) -> int:
    """Typos allowed between two names: none for short names, where one letter
    makes another name (Jan, Jon), one from four letters, two from eight."""
    shorter = min(len(a), len(b))
    return 2 if shorter >= 8 else 1 if shorter >= 4 else 0


def _alike(a: _Name, b: _Name, *, given: bool):
    """(kind, words) when two single names are alike, else None. Symmetric."""
    if a.fold == b.fold:
        if a.part or b.part:
            return "part", f"shares {a.text}"
        if a.preferred or b.preferred:
            return "same", f"(preferred name {a.text})"
        return "same", ""
    if given and _FORMS.get(a.fold, frozenset()) & _FORMS.get(b.fold, frozenset()):
        return "form", f"{b.text} is a form of {a.text}"
    limit = _typo_limit(a.fold, b.fold)
    if limit and abs(len(a.fold) - len(b.fold)) <= limit:
        distance = _typos(*sorted((a.fold, b.fold)), limit)
        if distance <= limit:
            count = "one letter" if distance == 1 else "two letters"
            return ("one" if distance == 1 else "two"), f"differs by {count} ({a.text}/{b.text})"
    if given and min(len(a.fold), len(b.fold)) == 1 and a.fold[:1] == b.fold[:1]:
        return "initial", f"initial matches ({a.text}/{b.text})"
    return None


def _best(a_names: tuple[_Name, ...], b_names: tuple[_Name, ...], *, given: bool):
    """The closest pair of names between two lists, as (points, kind, words)."""
    best = None
    for a in a_names:
        for b in b_names:
            found = _alike(a, b, given=given)
            if found is not None and (best is None or NAME_POINTS[found[0]] > best[0]):
                best = (NAME_POINTS[found[0]], *found)
    return best


def _given_names(p: Details) -> tuple[_Name, ...]:
    names = _parts(p.given_name)
    if _fold(p.preferred_name) and _fold(p.preferred_name) != _fold(p.given_name):
        names += _parts(p.preferred_name, preferred=True)
    return names


def _describe(label: str, kind: str, words: str) -> str:
    if kind == "same":
        return f"same {label} {words}".strip()
    if kind == "form":
        return words
    return f"{label} {words}"


def compare(a: Details, b: Details) -> Match | None:
    """A Match (with b's id) when a and b are likely the same person, else None."""
    a_nhs, b_nhs = _digits(a.nhs_number), _digits(b.nhs_number)
    if a_nhs and b_nhs and a_nhs != b_nhs:
        return None
    if a_nhs and a_nhs == b_nhs:
        reasons = ["same NHS number"]
        if a.date_of_birth != b.date_of_birth:
            reasons.append("but a different date of birth")
        return Match(b.id, CERTAIN, tuple(reasons))
    if a.date_of_birth != b.date_of_birth:
        return None
    # Each check only when the one before it passed: most pairs fail at the first.
    family = _best(_parts(a.family_name), _parts(b.family_name), given=False)
    given = family and _best(_given_names(a), _given_names(b), given=True)
    if family and given:
        return Match(
            b.id,
            min(CERTAIN - 1, SAME_DOB + family[0] + given[0]),
            (
                "same date of birth",
                _describe("family name", family[1], family[2]),
                _describe("given name", given[1], given[2]),
            ),
        )
    swapped = _best(_parts(a.family_name), _given_names(b), given=True) and _best(
        _given_names(a), _parts(b.family_name), given=True
    )
    if swapped:
        return Match(
            b.id,
            SAME_DOB + SWAPPED_POINTS,
            ("same date of birth", "given and family names swapped"),
        )
    return None


def find(candidate: Details, others: Iterable[Details]) -> list[Match]:
    """Likely duplicates of candidate among others, most likely first."""
    matches = [
        m
        for other in others
        if other.id != candidate.id or candidate.id is None
        if (m := compare(candidate, other)) is not None
    ]
    return sorted(matches, key=lambda m: (-m.score, m.id or 0))
