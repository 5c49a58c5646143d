"""Marking a practice attempt: the real decision framework, minimum-necessary selection
and redaction run on a synthetic case, and the member of staff's choices held against
the case's answers key. Each point of feedback says what was right or wrong and why;
the score is the share of points earned, in percent.

Plain data in, plain data out: no database, no request. The same case, choices and
policies always give the same feedback and score."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from sharewise.disclosures import minimum, redaction
from sharewise.sharing import cues as cuelib
from sharewise.sharing import framework
from sharewise.training.casebook import Case

NOT_SHARING = ("do_not_share", "monitor")
OUTCOME_WORDS = {**framework.OUTCOMES, "monitor": "Do not share yet: monitor and review"}
PERSON_KEY = "person"
# A whole record is the over-sharing the seed describes: never a pass.
WHOLE_RECORD_CAP = 40

# How much each point counts: a decision case is all judgement; in a referral case
# what is sent, and whose names, count as much as the decision.
WEIGHTS = {
    "decision": {"outcome": 50, "grounds": 25, "basis": 25},
    "referral": {
        "outcome": 20,
        "grounds": 10,
        "basis": 10,
        "beyond": 30,
        "left_out": 15,
        "names": 15,
    },
}


@dataclass(frozen=True)
class Point:
    point: str
    right: bool | None  # None: information, not marked
    why: str
    weight: int = 0

    def as_dict(self) -> dict:
        return {"point": self.point, "right": self.right, "why": self.why}


@dataclass(frozen=True)
class Marked:
    score: int
    points: tuple[Point, ...]
    recommendation: framework.Recommendation
    # What the recipient would read: {field label: text as sent}, for referral cases.
    sent: dict[str, str] = field(default_factory=dict)

    @property
    def feedback(self) -> list[dict]:
        return [p.as_dict() for p in self.points]


# What the case's record says


def _when(days_ago: int) -> str:
    return "today" if days_ago == 0 else f"{days_ago} day{'s' if days_ago != 1 else ''} ago"


def where(case: Case, number: int) -> str:
    concern = case.concerns[number - 1]
    return f"concern {number} ({_when(concern.days_ago)}, {concern.team})"


def facts_of(case: Case, sharing, recording) -> framework.Facts:
    """The framework's facts, read from the case's concerns as sharewise.sharing's
    proposals module reads a real record: crimes, ticked risk questions, a member of
    staff as the source, and the cues in the words."""
    crimes = {c.code: c.label.lower() for c in recording.categories if c.crime}
    indicators = {i.code: i for i in recording.risk_indicators}
    evidence: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    categories: dict[str, None] = {}
    texts = []
    for number, concern in enumerate(case.concerns, 1):
        at = where(case, number)
        for code in concern.categories:
            categories.setdefault(code, None)
            if code in crimes:
                evidence["crime"][f"Recorded as {crimes[code]}"].append(at)
        for code in concern.risk_indicators:
            if indicator := indicators.get(code):
                said = indicator.label[0].lower() + indicator.label[1:]
                evidence[indicator.ground][f"Ticked '{said}'"].append(at)
        if concern.source == "staff":
            evidence["staff_implicated"][
                "A member of staff named as the alleged source of harm"
            ].append(at)
        texts += [(at, concern.text), (at, concern.persons_words)]
    texts.append(("what they said", case.said))
    cues = cuelib.questions(texts, sharing.cues, evidence)
    known = {g.code for g in sharing.override_grounds}
    proposals = tuple(
        framework.Proposal(
            ground, tuple(f"{what}: {', '.join(dict.fromkeys(at))}" for what, at in found.items())
        )
        for ground, found in evidence.items()
        if found and ground in known
    )
    assessed = case.capacity if case.capacity in ("has_capacity", "lacks_capacity") else ""
    return framework.Facts(
        is_child=case.is_child,
        assessed_capacity=assessed,
        best_interests=case.best_interests if assessed == "lacks_capacity" else "",
        open_alerts=case.open_alerts,
        risk_score=case.risk_score,
        staff_implicated=bool(evidence.get("staff_implicated")),
        consent_recorded=case.consent_recorded,
        categories=tuple(categories),
        proposals=proposals,
        cues=tuple(cues),
    )


def answers_of(data) -> framework.Answers:
    """The framework's answers from a dict (missing ones: the framework's defaults)."""
    known = framework.Answers.__dataclass_fields__
    values = {}
    for key, value in dict(data or {}).items():
        if key not in known or value is None:
            continue
        if key in ("grounds", "accepted"):
            values[key] = frozenset(str(v) for v in value)
        elif key == "rebuttals":
            values[key] = {str(k): str(v) for k, v in dict(value).items()}
        else:
            values[key] = str(value)
    return framework.Answers(**values)


def template_of(case: Case, referrals):
    return next(t for t in referrals.templates if t.code == case.referral.template)


def selection_of(case: Case, referrals, category_labels=None) -> minimum.Selection:
    """The real minimum-necessary selection for the case's referral, as the builder
    starts it: the template's minimum for its purpose and categories."""
    ref = case.referral
    return minimum.select(
        referrals,
        template_of(case, referrals),
        ref.purpose,
        ref.categories,
        ref.record,
        category_labels=category_labels,
    )


def offered_fields(case: Case, referrals) -> list[tuple[str, str]]:
    """(code, label) of every field of the case's template that has something to send."""
    selection = selection_of(case, referrals)
    return [(f.code, f.label) for f in selection.fields if f.available]


def party_name(party) -> str:
    return " ".join(part for part in (party.given, party.family) if part)


def _spans(case: Case, text: str):
    ref = case.referral
    parties = [
        redaction.Party(p.key, p.given, p.family, p.preferred, p.role) for p in ref.parties
    ] + [
        redaction.Party(
            PERSON_KEY,
            case.person.given,
            case.person.family,
            case.person.preferred,
            "the person",
        )
    ]
    index = redaction.build_index(parties, linked=[p.key for p in parties])
    return redaction.find(text, index, keep=[PERSON_KEY])


def sent_texts(case: Case, referrals, fields, removed) -> tuple[dict[str, str], set[str]]:
    """({label: text as the recipient would read it}, keys of the parties named in
    what is sent), with the names the member of staff chose to remove replaced."""
    removed = set(removed)
    sent, named = {}, set()
    for code in fields:
        text = case.referral.record.get(code)
        if text is None:
            continue
        spans = _spans(case, text)
        named |= {s.key for s in spans}
        sent[referrals.fields[code].label] = redaction.apply(
            text, [s for s in spans if s.key in removed]
        )
    return sent, named


# Checking what was sent


def problems(case: Case, chosen: dict, sharing, referrals) -> dict[str, str]:
    """What is wrong with the choices as given, by field, saying what to choose."""
    found = {}
    try:
        answers = answers_of(chosen.get("answers"))
    except (TypeError, ValueError):
        return {"answers": "Give the framework's answers as an object of question: answer"}
    found |= {f"answers.{k}": v for k, v in framework.problems(answers, sharing).items()}
    decision = chosen.get("decision") or {}
    outcome = decision.get("outcome", "")
    if outcome not in OUTCOME_WORDS or outcome == framework.SEEK_ADVICE:
        found["decision.outcome"] = "Choose your decision: one of " + ", ".join(
            k for k in OUTCOME_WORDS if k != framework.SEEK_ADVICE
        )
    grounds = {g.code for g in sharing.override_grounds}
    if unknown := set(decision.get("grounds") or ()) - grounds:
        found["decision.grounds"] = "Not grounds in your policy: " + ", ".join(sorted(unknown))
    for name in framework.BASIS_FIELDS:
        code = decision.get(name) or ""
        if code and code not in getattr(sharing, name):
            found[f"decision.{name}"] = "Choose one of: " + ", ".join(getattr(sharing, name))
    if case.referral is not None:
        offered = {code for code, _ in offered_fields(case, referrals)}
        if unknown := set(chosen.get("fields") or ()) - offered:
            found["fields"] = "Not fields of this referral with anything to send: " + ", ".join(
                sorted(unknown)
            )
        parties = {p.key for p in case.referral.parties}
        if unknown := set(chosen.get("removed") or ()) - parties:
            found["removed"] = "Not people named in this case: " + ", ".join(sorted(unknown))
    return found


def right_answers(case: Case, sharing, referrals, recording) -> dict:
    """The choices that earn every point: the key's answers and decision, the first
    lawful basis that fits, the minimum fields, and every third party's name removed."""
    facts = facts_of(case, sharing, recording)
    key = framework.recommend(answers_of(case.key.answers), facts, sharing)
    decision = {"outcome": case.key.decision.outcome, "grounds": list(case.key.decision.grounds)}
    if case.key.decision.outcome in framework.IDENTIFYING and key.bases:
        first = key.bases[0]
        decision |= {
            "article_6": first.article_6[0],
            "article_9": first.article_9[0],
            "schedule_1": first.schedule_1[0]
            if first.schedule_1 and first.article_9[0] == "g"
            else "",
        }
    chosen = {"answers": dict(case.key.answers), "decision": decision}
    if case.referral is not None:
        chosen["fields"] = sorted(selection_of(case, referrals).included)
        chosen["removed"] = [p.key for p in case.referral.parties if p.remove]
    return chosen


# Marking


def _labels(sharing, codes) -> str:
    return ", ".join(f"'{sharing.ground(c).label}'" for c in codes)


def _outcome_point(case, chosen_outcome, answers, facts, sharing, weight) -> Point:
    right_outcome = case.key.decision.outcome
    same = chosen_outcome == right_outcome or (
        chosen_outcome in NOT_SHARING and right_outcome in NOT_SHARING
    )
    chose = OUTCOME_WORDS.get(chosen_outcome, chosen_outcome or "nothing")
    if same:
        return Point("Your decision", True, f"Right: {chose}. {case.key.why}", weight)
    why = f"You decided '{chose}'; the right decision is '{OUTCOME_WORDS[right_outcome]}'."
    if chosen_outcome in NOT_SHARING and right_outcome in framework.SHARING:
        standing = [g for g in case.key.decision.grounds if not answers.rebutted(g)]
        unrebutted = [p for p in framework.proposed(facts) if not answers.rebutted(p.key)]
        if unrebutted:
            why += " " + " ".join(
                f"The record proposes '{sharing.ground(p.ground).label}' ({'; '.join(p.evidence)}) "
                "and nothing you said rebuts it."
                for p in unrebutted
            )
        if standing:
            why += " " + " ".join(
                f"{sharing.ground(g).label}: {sharing.ground(g).why}" for g in standing
            )
    return Point("Your decision", False, f"{why} {case.key.why}", weight)


def _grounds_point(case, decision, sharing, weight) -> Point:
    chosen = [g for g in decision.get("grounds") or ()]
    if case.key.decision.outcome == framework.SHARE_WITHOUT_CONSENT:
        need = list(case.key.decision.grounds)
        missing = [g for g in need if g not in chosen]
        if not missing:
            return Point(
                "Grounds for sharing without consent",
                True,
                f"Right: you named {_labels(sharing, need)}.",
                weight,
            )
        return Point(
            "Grounds for sharing without consent",
            False,
            f"Not named: {_labels(sharing, missing)}. Sharing without consent must name "
            "every ground it rests on.",
            weight,
        )
    if not chosen:
        return Point(
            "Grounds for sharing without consent",
            True,
            "Right: this decision does not rest on a ground for sharing without consent.",
            weight,
        )
    return Point(
        "Grounds for sharing without consent",
        False,
        f"You named {_labels(sharing, chosen)}, but this decision is not to share without "
        "consent: grounds for overriding consent do not belong in it.",
        weight,
    )


def _basis_words(sharing, a6, a9, s1) -> str:
    parts = [sharing.article_6.get(a6, a6) if a6 else "no Article 6 basis"]
    parts.append(sharing.article_9.get(a9, a9) if a9 else "no Article 9 condition")
    if s1:
        parts.append(sharing.schedule_1.get(s1, s1))
    return "; ".join(parts)


def _basis_point(case, decision, key_rec, choice, sharing, weight) -> Point:
    a6, a9, s1 = (decision.get(n) or "" for n in framework.BASIS_FIELDS)
    chose = _basis_words(sharing, a6, a9, s1)
    if case.key.decision.outcome not in framework.IDENTIFYING:
        if not (a6 or a9 or s1):
            return Point(
                "Lawful basis",
                True,
                "Right: not sharing, or sharing nothing that identifies the person, needs no "
                "lawful basis.",
                weight,
            )
        return Point(
            "Lawful basis",
            False,
            f"You chose {chose}, but this decision shares nothing that identifies the person: "
            "no lawful basis is needed.",
            weight,
        )
    bases = key_rec.bases
    fit = ", or ".join(framework.describe_basis(b, sharing) for b in bases)
    six = {a for b in bases for a in b.article_6}
    nine = {a for b in bases for a in b.article_9}
    sched = {c for b in bases for c in b.schedule_1}
    right = a6 in six and a9 in nine and ((a9 == "g" and s1 in sched) or (a9 != "g" and not s1))
    if right:
        return Point("Lawful basis", True, f"Right: {chose}. Those that fit: {fit}.", weight)
    said = framework.basis_problems(
        replace(choice, article_6=a6, article_9=a9, schedule_1=s1), sharing
    )
    extra = " ".join(said.values())
    return Point(
        "Lawful basis",
        False,
        f"You chose {chose}. Those that fit this decision: {fit}." + (f" {extra}" if extra else ""),
        weight,
    )


def _referral_points(case, chosen, referrals, recording, weights):
    """(points, what the recipient would read, whether a whole record was sent)."""
    labels = {c.code: c.label for c in recording.categories}
    selection = selection_of(case, referrals, labels)
    fields = [c for c, _ in offered_fields(case, referrals) if c in set(chosen.get("fields") or ())]
    by_code = {f.code: f for f in selection.fields}
    beyond = [by_code[c] for c in fields if c not in selection.minimum]
    left_out = [f for f in selection.fields if f.included and f.code not in fields]
    points = [
        Point(
            "Fields sent beyond the minimum",
            not beyond,
            "Right: nothing beyond the minimum necessary."
            if not beyond
            else "Sent beyond the minimum: "
            + "; ".join(f"{f.label} ({f.reason})" for f in beyond)
            + ". Send only what the recipient needs.",
            weights["beyond"],
        ),
        Point(
            "Fields needed and left out",
            not left_out,
            "Right: everything the recipient needs is there."
            if not left_out
            else "Needed and left out: "
            + "; ".join(f"{f.label} ({f.reason})" for f in left_out)
            + ".",
            weights["left_out"],
        ),
    ]
    removed = set(chosen.get("removed") or ())
    sent, named = sent_texts(case, referrals, fields, removed)
    parties = {p.key: p for p in case.referral.parties}
    kept = sorted(k for k in named if k in parties and parties[k].remove and k not in removed)
    wrongly = sorted(k for k in named & removed if k in parties and not parties[k].remove)
    why = []
    if kept:
        why.append(
            "Names not removed: "
            + ", ".join(f"{party_name(parties[k])} ({parties[k].role})" for k in kept)
            + ". Other people named have not agreed to be in a referral."
        )
    if wrongly:
        why.append(
            "Removed, though the recipient needs to know who they are: "
            + ", ".join(f"{party_name(parties[k])} ({parties[k].role})" for k in wrongly)
            + "."
        )
    points.append(
        Point(
            "Other people's names",
            not kept and not wrongly,
            " ".join(why) or "Right: no one else's name leaves in the referral.",
            weights["names"],
        )
    )
    whole = [by_code[c].label for c in fields if referrals.fields[c].whole_record]
    if whole:
        points.append(
            Point(
                "Whole records",
                False,
                f"Sent a whole record ({', '.join(whole)}): a whole record is never part of a "
                f"referral, so this attempt scores at most {WHOLE_RECORD_CAP}%.",
            )
        )
    return points, sent, bool(whole)


def mark(case: Case, chosen: dict, sharing, referrals, recording) -> Marked:
    """The feedback and score for these choices. chosen: {answers, decision, fields,
    removed} (see problems() for what each may hold; check it first)."""
    weights = WEIGHTS[case.kind]
    facts = facts_of(case, sharing, recording)
    answers = answers_of(chosen.get("answers"))
    rec = framework.recommend(answers, facts, sharing)
    key_answers = answers_of(case.key.answers)
    key_rec = framework.recommend(key_answers, facts, sharing)
    decision = chosen.get("decision") or {}
    outcome = decision.get("outcome", "")
    choice = framework.choice_for(
        outcome,
        decision.get("grounds") or (),
        answers,
        facts,
        facts.assessed_capacity or answers.capacity,
    )
    points = [
        Point(
            "The framework's recommendation on your answers",
            None,
            f"{rec.label}. " + " ".join(r.text for r in rec.reasons),
        ),
        _outcome_point(case, outcome, answers, facts, sharing, weights["outcome"]),
        _grounds_point(case, decision, sharing, weights["grounds"]),
        _basis_point(case, decision, key_rec, choice, sharing, weights["basis"]),
    ]
    sent, whole = {}, False
    if case.referral is not None:
        more, sent, whole = _referral_points(case, chosen, referrals, recording, weights)
        points += more
    total = sum(p.weight for p in points)
    earned = sum(p.weight for p in points if p.right)
    score = (100 * earned) // total if total else 0
    if whole:
        score = min(score, WHOLE_RECORD_CAP)
    return Marked(score=score, points=tuple(points), recommendation=rec, sent=sent)
