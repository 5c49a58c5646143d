"""The information-sharing decision framework: the practitioners' flow from the
government's advice (legitimate purpose, identifiable, confidential, consent, lawful
basis and override grounds, necessity, recipient, telling the person), driven by the
organisation's sharing policy.

Plain data in, plain data out: no database, no request. The same answers, facts and
policy always give the same recommendation. Two promises hold for every input:
"share without consent" always comes with at least one override ground and a lawful
basis, and a refusal is never the end of the matter while someone else is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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

# Part 2 conditions of Schedule 1 need an appropriate policy document in place.
PART_2 = {"para_6", "para_10", "para_18", "para_19"}
# Conditions whose wording protects "an individual at risk" or a child.
NEEDS_AT_RISK = {"para_18"}


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
class _Work:
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


def recommend(answers: Answers, facts: Facts, policy) -> Recommendation:
    """The recommendation, its reasons and candidate lawful bases, and what the
    record still needs. policy: a validated SharingPolicy.

    The record speaks as well as the decider: every ground it proposes counts until
    the decider rebuts it with a reason, and while a cue in the concerns is unanswered
    the recommendation is never "do not share"."""
    if found := problems(answers, policy):
        raise ValueError(found)
    w = _Work(policy)
    rec = _recommend(answers, facts, policy, w)
    open_cues = [c for c in facts.cues if c.key not in answers.accepted | set(answers.rebuttals)]
    for cue in open_cues:
        w.need(f"Answer: {cue.question} (the record says: {_quoted(cue.words)})")
    if open_cues and rec.outcome == DO_NOT_SHARE:
        w.say(
            "cues.unanswered",
            "The concerns raise questions to answer before deciding not to share: "
            + " ".join(f"{c.question} (they say {_quoted(c.words)}.)" for c in open_cues),
        )
        return _done(w, SEEK_ADVICE, ())
    return replace(rec, still_to_record=tuple(w.todo), reasons=tuple(w.reasons))


def _quoted(words) -> str:
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


def _recommend(answers: Answers, facts: Facts, policy, w) -> Recommendation:
    if facts.standing in ("do_not_share", "monitor"):
        w.say(
            "standing.refusal",
            "A decision not to share stands for this person. Once signed, this decision "
            "replaces it.",
        )
    grounds = _grounds(answers, facts, w)
    capacity = _capacity(answers, facts, w)
    best_interests = _best_interests(answers, facts, w) if capacity == "lacks_capacity" else ""
    if capacity == "lacks_capacity" and best_interests != "do_not_share":
        grounds.append("lacks_capacity")
    grounds = [g.code for g in policy.override_grounds if g.code in grounds]  # policy order
    safety = [g for g in grounds if g != "lacks_capacity"]
    vital = "vital_interests" in grounds

    if doubt := _doubt(w, "purpose", answers.purpose, safety, vital, grounds):
        return doubt

    if answers.identifiable == "no":
        w.say(
            "identifiable.no",
            "The information does not identify anyone, so confidentiality and data "
            "protection law do not stop you sharing it. Check nothing in it, taken "
            "together, could identify the person.",
        )
        _need_recipient(w, answers)
        return _done(w, SHARE_DEIDENTIFIED, grounds, share_now=vital)

    if doubt := _doubt(w, "necessity", answers.necessary, safety, vital, grounds):
        return doubt

    if answers.confidential == "no":
        w.say(
            "confidential.no",
            "The information was not given in confidence, but data protection law still "
            "needs a lawful basis to share it.",
        )

    consent_valid = answers.consent == "given" and capacity in ("presumed", "has_capacity")
    if answers.consent == "given" and capacity == "lacks_capacity":
        w.say(
            "consent.invalid",
            "The person lacks capacity for this decision, so their agreement is not valid "
            "consent: decide in their best interests.",
        )
    if answers.consent == "given" and capacity == "in_doubt" and not safety and not vital:
        w.say(
            "capacity.in_doubt",
            "Consent only counts from someone with capacity for this decision, and you "
            "doubt it: assess capacity (two-stage test) or seek advice before relying on it.",
        )
        w.need("A capacity assessment for this decision")
        return _done(w, SEEK_ADVICE, grounds)

    if consent_valid:
        w.say(
            "consent.given",
            "The person has agreed to this sharing. Share what they agreed to, with whom "
            "they agreed, and record it.",
        )
        for code in safety:
            _ground_reason(w, code)
        _need_recipient(w, answers)
        consent = _fitting(
            Basis(
                "consent",
                tuple(policy.consent_basis.article_6),
                tuple(policy.consent_basis.article_9),
            ),
            # Recommended as it will be once the consent is recorded, which is asked for.
            replace(
                choice_for(SHARE_WITH_CONSENT, safety, answers, facts, capacity),
                consent_recorded=True,
            ),
            policy,
        )
        if consent and not facts.consent_recorded:
            w.need(
                "A consent record saying the person agreed (Record consent), before "
                "consent can be the lawful basis"
            )
        bases = (
            *([consent] if consent else []),
            *_bases(safety, answers, facts, w, capacity, SHARE_WITH_CONSENT),
        )
        return _done(w, SHARE_WITH_CONSENT, grounds, bases, share_now=vital)

    # Without (valid) consent: refused, withdrawn, not sought, or not valid.
    if safety or "lacks_capacity" in grounds:
        for code in grounds:
            _ground_reason(w, code)
        if "lacks_capacity" in grounds:
            w.say(
                "capacity.best_interests",
                "Make this decision in the person's best interests: consider their past "
                "and present wishes, involve those close to them, and choose the least "
                "restrictive option.",
            )
            if best_interests != "share":
                w.need("The best-interests decision for sharing")
        bases = _bases(grounds, answers, facts, w, capacity)
        if not bases:
            w.say(
                "lawful_basis.none",
                "There are grounds to share but no lawful basis in your policy fits them "
                "here: ask the data protection officer now."
                + (
                    " Someone's life or safety is at serious risk: if the danger is "
                    "immediate, call 999 first."
                    if vital
                    else ""
                ),
            )
            return _done(w, SEEK_ADVICE, grounds)
        if vital:
            w.say(
                "vital_interests",
                "Someone's life or safety is at serious risk: share now. Seeking consent "
                "must not delay it.",
            )
        _tell_person(w, answers)
        _need_recipient(w, answers)
        if answers.proportionality.strip() == "":
            w.need("Why sharing is necessary and proportionate, in your own words")
        return _done(w, SHARE_WITHOUT_CONSENT, grounds, bases, share_now=vital)

    if capacity == "in_doubt":
        w.say(
            "capacity.in_doubt",
            "You doubt the person has capacity for this decision and it has not been "
            "assessed: assess it (two-stage test) or seek advice before accepting "
            "their answer.",
        )
        w.need("A capacity assessment for this decision")
        return _done(w, SEEK_ADVICE, grounds)

    if facts.is_child and answers.at_risk != "no":
        w.say(
            "child.unsure",
            "This is a child and you are not sure whether they are at risk: do not decide "
            "alone. Ask the safeguarding lead now; if in doubt, the child's safety comes first.",
        )
        return _done(w, SEEK_ADVICE, grounds)

    if capacity == "lacks_capacity":  # best interests concluded against sharing
        w.say(
            "capacity.best_interests_no",
            "The person lacks capacity for this decision and the best-interests decision "
            "is not to share. Record it and agree when to look again.",
        )
        return _refusal_stands(w, answers, facts, grounds)

    if answers.consent == "not_sought":
        if answers.not_sought_reason:
            w.say(
                "consent.not_sought_no_ground",
                "You did not ask for consent (it was unsafe, would prejudice protection, "
                "could not reasonably be obtained, or it was an emergency) but chose no "
                "ground for sharing without it: say which ground applies, or ask the "
                "safeguarding lead now.",
            )
            return _done(w, SEEK_ADVICE, grounds)
        w.say(
            "consent.ask",
            "No ground for sharing without consent applies: ask the person first, "
            "explaining what would be shared, with whom and why.",
        )
        return _refusal_stands(w, answers, facts, grounds)

    w.say(
        "refusal.respect",
        "The person has capacity for this decision, only they are at risk, and no ground "
        "for overriding applies: respect their refusal. An unwise decision is not a "
        "lack of capacity.",
    )
    w.say(
        "refusal.support",
        "Record the refusal in their words, agree a date to review it, keep offering "
        "support, and make sure they know how to get help.",
    )
    return _refusal_stands(w, answers, facts, grounds)


DOUBTS = {
    # topic: (conflict, no, unsure)
    "purpose": (
        "You said the purpose is not clear, yet also that {grounds}. These do not fit "
        "together: ask the safeguarding lead now.",
        "There is no clear, legitimate purpose for sharing, so do not share. Record the "
        "decision and your reasons.",
        "Be clear why you would share before you do: ask the safeguarding lead, without "
        "naming the person if you can.",
    ),
    "necessity": (
        "You are unsure whether sharing is needed, yet also said that {grounds}. Ask the "
        "safeguarding lead now rather than leave it.",
        "Sharing is not needed for the purpose, so do not share (Caldicott: use "
        "confidential information only when necessary). Record your reasons.",
        "Whether sharing is needed is unclear: ask the safeguarding lead before you share.",
    ),
}


def _doubt(w, topic, answer, safety, vital, grounds) -> Recommendation | None:
    """A "no" or "not sure" about the purpose or the need to share: do not share, or
    ask; but never "do not share" while a ground says someone is at risk. A threat to
    life answers "not sure" by itself."""
    if answer == "yes" or (answer == "unsure" and vital):
        return None
    conflict, no, unsure = DOUBTS[topic]
    if safety:
        w.say(f"conflict.{topic}", conflict.format(grounds=_labels(w.policy, safety)))
        return _done(w, SEEK_ADVICE, grounds)
    if answer == "no":
        w.say("purpose.none" if topic == "purpose" else "necessity.no", no)
        return _done(w, DO_NOT_SHARE, grounds)
    w.say(f"{topic}.unsure", unsure)
    return _done(w, SEEK_ADVICE, grounds)


def _grounds(answers, facts, w) -> list[str]:
    # Lacking capacity comes from the capacity answer or record, not a ticked box.
    grounds = [g for g in answers.grounds if g != "lacks_capacity"]
    for proposal in proposed(facts):
        label = w.policy.ground(proposal.ground).label
        evidence = "; ".join(proposal.evidence)
        if answers.rebutted(proposal.key):
            w.say(
                f"proposed.{proposal.ground}.rebutted",
                f"The record proposes '{label}' ({evidence}), and you said it does not "
                f"apply: {answers.rebuttals[proposal.key].strip()}",
            )
            if proposal.ground in grounds:
                grounds.remove(proposal.ground)
            continue
        if proposal.ground not in grounds:
            grounds.append(proposal.ground)
        w.say(
            f"proposed.{proposal.ground}",
            f"The record proposes '{label}': {evidence}. It counts unless you say why it "
            "does not apply.",
        )
        if proposal.key not in answers.accepted:
            w.need(f"Accept, or say why it does not apply: '{label}' ({evidence})")
    for cue in facts.cues:
        label = w.policy.ground(cue.ground).label
        if cue.key in answers.accepted:
            w.say(
                f"cue.{cue.code}",
                f"The record says {_quoted(cue.words)}, and you said it means this: {label}.",
            )
            if cue.ground not in grounds:
                grounds.append(cue.ground)
        elif answers.rebutted(cue.key):
            w.say(
                f"cue.{cue.code}.answered",
                f"The record says {_quoted(cue.words)}, and you said it does not mean "
                f"'{label.lower()}': {answers.rebuttals[cue.key].strip()}",
            )
    if facts.is_child and answers.at_risk == "yes" and "child_at_risk" not in grounds:
        grounds.append("child_at_risk")
    if facts.is_child:
        w.say(
            "child",
            "This is a child: the child's safety comes first, and consent is not needed "
            "to share where a child is at risk (a lawful basis still is).",
        )
    return grounds


def _capacity(answers, facts, w) -> str:
    if facts.assessed_capacity and facts.assessed_capacity != answers.capacity:
        w.say(
            "capacity.recorded",
            "A capacity assessment for this decision is on record, so its conclusion is used.",
        )
        return facts.assessed_capacity
    return answers.capacity


def _best_interests(answers, facts, w) -> str:
    """The best-interests decision: the one recorded with the capacity assessment wins
    over an answer typed again."""
    if facts.best_interests:
        if facts.best_interests != answers.best_interests:
            w.say(
                "capacity.best_interests_recorded",
                "A best-interests decision is recorded with the capacity assessment "
                f"({'share' if facts.best_interests == 'share' else 'not to share'}), so it "
                "is used.",
            )
        return facts.best_interests
    return answers.best_interests


def _ground_reason(w, code) -> None:
    ground = w.policy.ground(code)
    w.say(f"override.{code}", f"{ground.label}: {ground.why}")


def choice_for(outcome, grounds, answers, facts, capacity) -> Choice:
    """What the decision would be, for checking which lawful bases fit it."""
    return Choice(
        outcome=outcome,
        consent=answers.consent,
        consent_recorded=facts.consent_recorded,
        capacity=capacity,
        not_sought_reason=answers.not_sought_reason,
        grounds=frozenset(grounds),
        at_risk=facts.is_child or answers.at_risk != "no" or "child_at_risk" in grounds,
        categories=frozenset(facts.categories),
    )


def _bases(codes, answers, facts, w, capacity, outcome=SHARE_WITHOUT_CONSENT) -> tuple[Basis, ...]:
    """Each ground's lawful bases, kept to those the policy's table says fit."""
    policy = w.policy
    choice = choice_for(outcome, codes, answers, facts, capacity)
    found, part_2 = [], False
    for code in codes:
        ground = policy.ground(code)
        basis = _fitting(
            Basis(
                code,
                tuple(ground.article_6 or policy.article_6_default),
                tuple(ground.article_9),
                tuple(ground.schedule_1),
            ),
            choice,
            policy,
        )
        if basis is None:
            continue
        part_2 |= bool(set(basis.schedule_1) & PART_2)
        if answers.at_risk == "unsure" and set(basis.schedule_1) & NEEDS_AT_RISK:
            w.need(
                "Whether the person being protected is a child or an adult at risk "
                "(Schedule 1 paragraph 18)"
            )
        found.append(basis)
    if part_2 and not facts.appropriate_policy_adopted:
        w.need(
            "An adopted appropriate policy document (Data Protection Act 2018 Schedule 1 "
            "Part 4): the safeguarding lead adopts it under Policy"
        )
    return tuple(found)


def _tell_person(w, answers) -> None:
    w.say(
        "tell.person",
        "Tell the person what you are sharing, with whom and why, unless telling them "
        "would increase the risk to them or anyone else; if you do not, record why.",
    )
    if answers.tell_person == "":
        w.need("Whether the person will be told, and if not, why")
    elif answers.tell_person == "no" and not answers.not_told_reason.strip():
        w.need("Why the person is not being told")


def _need_recipient(w, answers) -> None:
    if not answers.recipient.strip():
        w.need("Who will receive the information, and their role")
    if not answers.content.strip() or not answers.channel.strip():
        w.need("Exactly what will be shared, and how")


def _refusal_stands(w, answers, facts, grounds) -> Recommendation:
    policy = w.policy
    w.need("The date this decision will be reviewed")
    why = risk_building(facts, policy)
    if why:
        w.say(
            "refusal.lead_review",
            f"Risk is building ({why}): not sharing cannot be decided without the "
            "safeguarding lead's review. Look again at whether others are at risk, or "
            "whether the person is under pressure.",
        )
    return _done(w, DO_NOT_SHARE, grounds, lead_review=why, review_days=policy.review_days)


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


def _done(w, outcome, grounds, bases=(), *, share_now=False, lead_review="", review_days=None):
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


def _labels(policy, codes) -> str:
    labels = [policy.ground(c).label.lower() for c in codes]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


# Lawful bases that fit ---------------------------------------------------------------

IDENTIFYING = (SHARE_WITH_CONSENT, SHARE_WITHOUT_CONSENT)
BASIS_FIELDS = ("article_6", "article_9", "schedule_1")


@dataclass(frozen=True)
class Choice:
    """A decision's lawful bases, and what about the decision they must fit."""

    outcome: str
    consent: str = "not_sought"
    consent_recorded: bool = False
    capacity: str = "presumed"
    not_sought_reason: str = ""
    grounds: frozenset[str] = frozenset()
    at_risk: bool = False  # a child, or an adult at risk, is protected
    categories: frozenset[str] = frozenset()
    article_6: str = ""
    article_9: str = ""
    schedule_1: str = ""


def _way_fits(way, c: Choice) -> bool:
    return (
        c.outcome in way.outcomes
        and (not way.consent or c.consent in way.consent)
        and (not way.consent_recorded or c.consent_recorded)
        and (not way.capacity or c.capacity in way.capacity)
        and (not way.not_sought_reasons or c.not_sought_reason in way.not_sought_reasons)
        and (not way.grounds or bool(c.grounds & set(way.grounds)))
        and (not way.categories or bool(c.categories & set(way.categories)))
        and (not way.at_risk or c.at_risk)
    )


def fits(policy, field_name: str, code: str, choice: Choice) -> bool:
    """Whether the policy's table lets this basis go with this decision."""
    fit = getattr(policy.fit, field_name).get(code)
    return fit is not None and any(_way_fits(way, choice) for way in fit.when)


def basis_problems(choice: Choice, policy) -> dict[str, str]:
    """Bases that contradict the decision, by field, saying what the basis needs.
    Only identifying sharing needs a basis; blanks are for the caller to name."""
    if choice.outcome not in IDENTIFYING:
        return {}
    found = {}
    for name in BASIS_FIELDS:
        code = getattr(choice, name)
        if code and code in getattr(policy, name) and not fits(policy, name, code, choice):
            words = getattr(policy, name)[code]
            found[name] = (
                f"{words} does not fit this decision. {getattr(policy.fit, name)[code].why}"
            )
    if choice.schedule_1 and choice.article_9 != "g":
        found.setdefault(
            "schedule_1",
            "A Schedule 1 condition goes only with Article 9(2)(g): choose 9(2)(g), or "
            "leave the Schedule 1 condition blank",
        )
    return found


def _fitting(basis: Basis, choice: Choice, policy) -> Basis | None:
    """The basis with only the articles and conditions that fit, or None."""
    article_6 = tuple(a for a in basis.article_6 if fits(policy, "article_6", a, choice))
    schedule_1 = tuple(
        c
        for c in basis.schedule_1
        if fits(policy, "schedule_1", c, choice)
        and fits(policy, "article_9", "g", replace(choice, schedule_1=c))
    )
    article_9 = tuple(
        a
        for a in basis.article_9
        if fits(policy, "article_9", a, choice) and (a != "g" or schedule_1)
    )
    if not article_6 or not article_9:
        return None
    return Basis(basis.ground, article_6, article_9, schedule_1 if "g" in article_9 else ())


def describe_basis(basis: Basis, policy) -> str:
    """A lawful basis in words, as the record shows it."""
    parts = [
        " or ".join(policy.article_6[a] for a in basis.article_6),
        " or ".join(policy.article_9[a] for a in basis.article_9),
    ]
    if basis.schedule_1:
        parts.append(" or ".join(policy.schedule_1[c] for c in basis.schedule_1))
    return "; ".join(parts)
