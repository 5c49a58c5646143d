"""How the framework judges: the questions in the order the government's advice asks
them (purpose, identifiable, necessity, consent and capacity, grounds to share without
consent), each a small step that either settles the recommendation or passes on.

Plain data in, plain data out: no database, no request."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sharewise.sharing.framework.bases import choice_for, fitting, lawful_bases
from sharewise.sharing.framework.terms import (
    DO_NOT_SHARE,
    SEEK_ADVICE,
    SHARE_DEIDENTIFIED,
    SHARE_WITH_CONSENT,
    SHARE_WITHOUT_CONSENT,
    Answers,
    Basis,
    Facts,
    Recommendation,
    labels_of,
    proposed,
    quoted,
    risk_building,
    settled,
)

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
        w.say(f"conflict.{topic}", conflict.format(grounds=labels_of(w.policy, safety)))
        return settled(w, SEEK_ADVICE, grounds)
    if answer == "no":
        w.say("purpose.none" if topic == "purpose" else "necessity.no", no)
        return settled(w, DO_NOT_SHARE, grounds)
    w.say(f"{topic}.unsure", unsure)
    return settled(w, SEEK_ADVICE, grounds)


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
                f"The record says {quoted(cue.words)}, and you said it means this: {label}.",
            )
            if cue.ground not in grounds:
                grounds.append(cue.ground)
        elif answers.rebutted(cue.key):
            w.say(
                f"cue.{cue.code}.answered",
                f"The record says {quoted(cue.words)}, and you said it does not mean "
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
    return settled(w, DO_NOT_SHARE, grounds, lead_review=why, review_days=policy.review_days)


@dataclass(frozen=True)
class _Case:
    """The answers and facts, with the grounds and capacity the framework settled on."""

    answers: Answers
    facts: Facts
    grounds: tuple[str, ...]  # in the policy's order
    capacity: str
    best_interests: str

    @property
    def safety(self) -> list[str]:
        return [g for g in self.grounds if g != "lacks_capacity"]

    @property
    def vital(self) -> bool:
        return "vital_interests" in self.grounds


def _settle(answers, facts, policy, w) -> _Case:
    """The grounds (answered, proposed, from the cues, lacking capacity) and capacity."""
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
    ordered = tuple(g.code for g in policy.override_grounds if g.code in grounds)
    return _Case(answers, facts, ordered, capacity, best_interests)


def _not_identifying(w, c: _Case) -> Recommendation | None:
    if c.answers.identifiable != "no":
        return None
    w.say(
        "identifiable.no",
        "The information does not identify anyone, so confidentiality and data "
        "protection law do not stop you sharing it. Check nothing in it, taken "
        "together, could identify the person.",
    )
    _need_recipient(w, c.answers)
    return settled(w, SHARE_DEIDENTIFIED, c.grounds, share_now=c.vital)


def _consent_in_doubt(w, c: _Case) -> Recommendation | None:
    """Consent given by someone without, or perhaps without, capacity."""
    answers = c.answers
    if answers.confidential == "no":
        w.say(
            "confidential.no",
            "The information was not given in confidence, but data protection law still "
            "needs a lawful basis to share it.",
        )
    if answers.consent == "given" and c.capacity == "lacks_capacity":
        w.say(
            "consent.invalid",
            "The person lacks capacity for this decision, so their agreement is not valid "
            "consent: decide in their best interests.",
        )
    if answers.consent == "given" and c.capacity == "in_doubt" and not c.safety and not c.vital:
        w.say(
            "capacity.in_doubt",
            "Consent only counts from someone with capacity for this decision, and you "
            "doubt it: assess capacity (two-stage test) or seek advice before relying on it.",
        )
        w.need("A capacity assessment for this decision")
        return settled(w, SEEK_ADVICE, c.grounds)
    return None


def _with_consent(w, c: _Case) -> Recommendation | None:
    answers, facts, policy = c.answers, c.facts, w.policy
    if not (answers.consent == "given" and c.capacity in ("presumed", "has_capacity")):
        return None
    w.say(
        "consent.given",
        "The person has agreed to this sharing. Share what they agreed to, with whom "
        "they agreed, and record it.",
    )
    for code in c.safety:
        _ground_reason(w, code)
    _need_recipient(w, answers)
    consent = fitting(
        Basis(
            "consent",
            tuple(policy.consent_basis.article_6),
            tuple(policy.consent_basis.article_9),
        ),
        # Recommended as it will be once the consent is recorded, which is asked for.
        replace(
            choice_for(SHARE_WITH_CONSENT, c.safety, answers, facts, c.capacity),
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
        *lawful_bases(c.safety, answers, facts, w, c.capacity, SHARE_WITH_CONSENT),
    )
    return settled(w, SHARE_WITH_CONSENT, c.grounds, bases, share_now=c.vital)


def _without_consent(w, c: _Case) -> Recommendation | None:
    """Refused, withdrawn, not sought or not valid, with a ground to share anyway."""
    if not c.safety and "lacks_capacity" not in c.grounds:
        return None
    for code in c.grounds:
        _ground_reason(w, code)
    if "lacks_capacity" in c.grounds:
        w.say(
            "capacity.best_interests",
            "Make this decision in the person's best interests: consider their past "
            "and present wishes, involve those close to them, and choose the least "
            "restrictive option.",
        )
        if c.best_interests != "share":
            w.need("The best-interests decision for sharing")
    bases = lawful_bases(c.grounds, c.answers, c.facts, w, c.capacity)
    if not bases:
        w.say(
            "lawful_basis.none",
            "There are grounds to share but no lawful basis in your policy fits them "
            "here: ask the data protection officer now."
            + (
                " Someone's life or safety is at serious risk: if the danger is "
                "immediate, call 999 first."
                if c.vital
                else ""
            ),
        )
        return settled(w, SEEK_ADVICE, c.grounds)
    if c.vital:
        w.say(
            "vital_interests",
            "Someone's life or safety is at serious risk: share now. Seeking consent "
            "must not delay it.",
        )
    _tell_person(w, c.answers)
    _need_recipient(w, c.answers)
    if c.answers.proportionality.strip() == "":
        w.need("Why sharing is necessary and proportionate, in your own words")
    return settled(w, SHARE_WITHOUT_CONSENT, c.grounds, bases, share_now=c.vital)


def _before_refusing(w, c: _Case) -> Recommendation | None:
    """Capacity in doubt, or a child perhaps at risk: ask before accepting a no."""
    if c.capacity == "in_doubt":
        w.say(
            "capacity.in_doubt",
            "You doubt the person has capacity for this decision and it has not been "
            "assessed: assess it (two-stage test) or seek advice before accepting "
            "their answer.",
        )
        w.need("A capacity assessment for this decision")
        return settled(w, SEEK_ADVICE, c.grounds)
    if c.facts.is_child and c.answers.at_risk != "no":
        w.say(
            "child.unsure",
            "This is a child and you are not sure whether they are at risk: do not decide "
            "alone. Ask the safeguarding lead now; if in doubt, the child's safety comes first.",
        )
        return settled(w, SEEK_ADVICE, c.grounds)
    return None


def _no_ground(w, c: _Case) -> Recommendation:
    """No ground to share without consent: best interests against it, consent still to
    ask for, or a capable person's refusal to respect."""
    answers, facts, grounds = c.answers, c.facts, c.grounds
    if c.capacity == "lacks_capacity":  # best interests concluded against sharing
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
            return settled(w, SEEK_ADVICE, grounds)
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


def judge(answers: Answers, facts: Facts, policy, w) -> Recommendation:
    """The recommendation: the first step that settles it."""
    c = _settle(answers, facts, policy, w)
    return (
        _doubt(w, "purpose", answers.purpose, c.safety, c.vital, c.grounds)
        or _not_identifying(w, c)
        or _doubt(w, "necessity", answers.necessary, c.safety, c.vital, c.grounds)
        or _consent_in_doubt(w, c)
        or _with_consent(w, c)
        or _without_consent(w, c)
        or _before_refusing(w, c)
        or _no_ground(w, c)
    )
