"""Lawful bases that fit: which UK GDPR Article 6 and 9 bases and DPA 2018 Schedule 1
conditions the policy's table lets go with a decision, and each ground's candidates.

Plain data in, plain data out: no database, no request."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sharewise.sharing.framework.terms import (
    SHARE_WITH_CONSENT,
    SHARE_WITHOUT_CONSENT,
    Basis,
)

# Part 2 conditions of Schedule 1 need an appropriate policy document in place.
PART_2 = {"para_6", "para_10", "para_18", "para_19"}
# Conditions whose wording protects "an individual at risk" or a child.
NEEDS_AT_RISK = {"para_18"}

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


def fitting(basis: Basis, choice: Choice, policy) -> Basis | None:
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


def lawful_bases(
    codes, answers, facts, w, capacity, outcome=SHARE_WITHOUT_CONSENT
) -> tuple[Basis, ...]:
    """Each ground's lawful bases, kept to those the policy's table says fit."""
    policy = w.policy
    choice = choice_for(outcome, codes, answers, facts, capacity)
    found, part_2 = [], False
    for code in codes:
        ground = policy.ground(code)
        basis = fitting(
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
