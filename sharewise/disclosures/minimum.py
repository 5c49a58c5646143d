"""Minimum necessary: which fields a referral sends. It starts from the minimum the
template names for this purpose and these categories of concern; every other field
is shown as left out, with the reason; adding one needs a reason of its own, and
so does leaving out something the recipient needs.

Plain data in, plain data out. A whole record is never part of a minimum, and too
much beyond the minimum waits for the data protection officer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MIN_WHY_WORDS = 3


@dataclass(frozen=True)
class Choice:
    """The sender's change to the default for one field."""

    include: bool
    why: str = ""


@dataclass(frozen=True)
class Field:
    code: str
    label: str
    section: str
    in_minimum: bool
    available: bool
    included: bool
    reason: str  # why it is in or out
    why: str = ""  # the sender's justification, when they changed the default


@dataclass(frozen=True)
class Selection:
    fields: tuple[Field, ...]
    minimum: frozenset[str]
    included: frozenset[str]
    beyond: tuple[str, ...]  # included, not in the minimum
    problems: Mapping[str, str]  # field -> what to fix
    needs_dpo: str  # why the data protection officer must countersign, or ""

    def field(self, code: str) -> Field | None:
        return next((f for f in self.fields if f.code == code), None)


def minimum_for(template, purpose: str, categories: Iterable[str]) -> frozenset[str]:
    needed = set(template.minimum.always) | set(template.minimum.purposes.get(purpose, ()))
    for category in categories:
        needed |= set(template.minimum.categories.get(category, ()))
    return frozenset(needed)


def choice_problem(label: str, template, in_minimum: bool, has_value: bool, choice: Choice):
    """What is wrong with the sender's change to one field's default, or None: sending
    something with nothing to send, or a change without a reason of its own."""
    if choice.include and not has_value:
        return f"{label}: there is nothing to send"
    if choice.include == in_minimum or len(choice.why.split()) >= MIN_WHY_WORDS:
        return None
    if choice.include:
        return f"{label}: say why the recipient needs it"
    return (
        f"{label}: say why you are leaving out something a {template.title.lower()} referral needs"
    )


def select(
    policy,
    template,
    purpose: str,
    categories: Iterable[str],
    available: Iterable[str],
    choices: Mapping[str, Choice] | None = None,
    category_labels: Mapping[str, str] | None = None,
) -> Selection:
    """policy: a ReferralPolicy; template: one of its templates; available: the fields
    that have a value (or that the sender fills in)."""
    categories = sorted(set(categories))
    available = set(available)
    choices = choices or {}
    minimum = minimum_for(template, purpose, categories)
    labels = category_labels or {}
    about = ", ".join(labels.get(c, c).lower() for c in categories) or "this kind of concern"
    fields, problems = [], {}
    for section in template.sections:
        for code in section.fields:
            spec = policy.fields[code]
            in_minimum = code in minimum
            has_value = code in available or spec.source == "sender"
            choice = choices.get(code)
            included = in_minimum and has_value
            why = ""
            if not has_value:
                reason = "Sharewise holds nothing for this"
                if choice and choice.include:
                    problems[code] = f"{spec.label}: there is nothing to send"
            elif choice is not None and choice.include != in_minimum:
                included, why = choice.include, choice.why.strip()
                if problem := choice_problem(spec.label, template, in_minimum, has_value, choice):
                    problems[code] = problem
                reason = f"Added by the sender: {why}" if included else f"Left out: {why}"
            elif in_minimum:
                reason = f"The recipient needs this for a referral about {about}"
            elif spec.whole_record:
                reason = "A whole record is never part of a referral: choose what is needed"
            else:
                reason = f"Not needed for a referral about {about}"
            fields.append(
                Field(code, spec.label, section.title, in_minimum, has_value, included, reason, why)
            )
    included = frozenset(f.code for f in fields if f.included)
    beyond = tuple(f.code for f in fields if f.included and not f.in_minimum)
    reasons = []
    if len(beyond) > policy.allowance:
        reasons.append(
            f"{len(beyond)} fields beyond the minimum (the policy allows {policy.allowance})"
        )
    if whole := [
        f.label.lower() for f in fields if f.included and policy.fields[f.code].whole_record
    ]:
        reasons.append("it includes whole records: " + ", ".join(whole))
    return Selection(
        fields=tuple(fields),
        minimum=minimum,
        included=included,
        beyond=beyond,
        problems=problems,
        needs_dpo="; ".join(reasons),
    )
