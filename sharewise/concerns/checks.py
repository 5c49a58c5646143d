"""What is wrong with a concern as recorded or as an amendment would leave it, by field,
in words a recorder can act on. recording calls these before it writes anything."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from sharewise.concerns import standards
from sharewise.concerns.answers import (
    AMENDABLE,
    CHOICE_FIELDS,
    FUTURE_TOLERANCE,
    LINKS,
    TEXT_FIELDS,
    Draft,
    current,
)
from sharewise.concerns.models import Concern, ReviewOutcome, SourceKind
from sharewise.people.models import Person
from sharewise.policy.documents import NO_INDICATOR


def problems(draft: Draft, organisation_id: int, policy, now=None) -> dict[str, list[str]]:
    """Everything wrong with a draft, by field, in words a recorder can act on."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    if not draft.people:
        add("people", "Choose the person or people at risk")
    if draft.occurred_at is None:
        add("occurred_at", "Enter when it happened")
    else:
        if draft.occurred_at > now + FUTURE_TOLERANCE:
            add("occurred_at", "When it happened cannot be in the future")
        for person in draft.people:
            if draft.occurred_at.date() < person.date_of_birth:
                add("occurred_at", f"When it happened cannot be before {person.name} was born")
    if draft.service is None or draft.service.organisation_id != organisation_id:
        add("service", "Choose the service where it happened")
    elif draft.team is None or draft.team.service_id != draft.service.pk:
        add("team", f"Choose a team at {draft.service.name}")
    known = {c.code: c for c in policy.categories}
    if not draft.categories:
        add("categories", "Choose at least one category of abuse or neglect")
    for code in draft.categories:
        if code not in known:
            add("categories", f"'{code}' is not a category in your policy; choose from the list")
        elif known[code].children_only and any(p.age() >= 18 for p in draft.people):
            add("categories", f"{known[code].label} is for children only: choose another category")
    if message := indicator_problem(draft.risk_indicators, policy):
        add("risk_indicators", message)
    for name, choices in CHOICE_FIELDS.items():
        value = draft.answers.get(name)
        if name == "source_kind" and not value:
            continue
        if value not in choices.values:
            add(name, f"Choose one of: {', '.join(choices.labels)}")
    if draft.shift and draft.shift not in policy.shift_labels():
        add(
            "shift", f"Choose a shift from your policy: {', '.join(policy.shift_labels().values())}"
        )
    if (
        draft.answers.get("source_kind") == SourceKind.STAFF
        and draft.source_staff is None
        and not draft.answers.get("source_description")
    ):
        add("source_staff", "Choose the member of staff, or describe them")
    # A linked source the answer contradicts would hide the concern from someone, or
    # raise an alert, that the answer says nothing about.
    if draft.source_staff is not None and draft.answers.get("source_kind") != SourceKind.STAFF:
        add(
            "source_staff",
            "You named a member of staff: say the alleged source is a member of staff",
        )
    if (
        draft.source_person is not None
        and draft.answers.get("source_kind") != SourceKind.PERSON_SUPPORTED
    ):
        add(
            "source_person",
            "You named a person we support: say the alleged source is another person we support",
        )
    for person in draft.people:
        if person.organisation_id != organisation_id:
            add("people", "Choose people your organisation supports")
    for name, message in standards.missing_requirements(
        answers_of(draft), policy.standards
    ).items():
        add(name, message)
    return errors


def indicator_problem(codes, policy) -> str:
    """What is wrong with the risk questions' answers, or ""."""
    known = policy.indicator_labels()
    if unknown := [c for c in codes if c != NO_INDICATOR and c not in known]:
        return (
            f"Not risk questions in your policy: {', '.join(map(str, unknown))}. Choose from: "
            + ", ".join(known)
        )
    if NO_INDICATOR in codes and len(set(codes)) > 1:
        return "You ticked 'None of these' and a risk as well: untick one of them"
    return ""


def answers_of(draft: Draft) -> dict:
    return {
        **{k: (v.strip() if isinstance(v, str) else v) for k, v in draft.answers.items()},
        "source_staff": draft.source_staff,
        "source_person": draft.source_person,
        "risk_indicators": draft.risk_indicators,
    }


def with_source(changes: dict, now: dict) -> dict:
    """Changes with linked answers as ids, and the alleged source kept whole: naming a
    member of staff or a person we support says what kind of source it is, and a
    kind that is neither unlinks whoever was named."""
    changes = dict(changes)
    for name in LINKS:
        if name in changes:
            value = changes[name]
            value = getattr(value, "pk", value)
            if value in ("", None):
                value = None
            else:
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    value = -1  # refused below, with the field named
            changes[name] = value
    named = {
        name: changes[name]
        for name in LINKS
        if changes.get(name) is not None and changes[name] != now[name]
    }
    if changes.get("source_kind", now["source_kind"]) == now["source_kind"]:
        # Naming someone, without choosing a kind, says what kind of source it is.
        if "source_staff" in named:
            changes["source_kind"] = SourceKind.STAFF
        elif "source_person" in named:
            changes["source_kind"] = SourceKind.PERSON_SUPPORTED
    kind = changes.get("source_kind", now["source_kind"])
    for name, fits in (
        ("source_staff", SourceKind.STAFF),
        ("source_person", SourceKind.PERSON_SUPPORTED),
    ):
        if kind != fits and name not in named:
            changes[name] = None
    return changes


def source_problems(amender, concern: Concern, real: dict, now: dict) -> dict[str, str]:
    """What is wrong with a change of alleged source: a member of staff must be one of
    the organisation's, a person one the amender may see (and not the person at
    risk), and each only with the kind of source that fits."""
    errors = {}
    staff = real["source_staff"]["to"] if "source_staff" in real else now["source_staff"]
    person = real["source_person"]["to"] if "source_person" in real else now["source_person"]
    kind = real["source_kind"]["to"] if "source_kind" in real else now["source_kind"]
    if "source_staff" in real and staff is not None:
        if not (
            get_user_model()
            .objects.filter(
                pk=staff, is_active=True, memberships__organisation_id=concern.organisation_id
            )
            .exists()
        ):
            errors["source_staff"] = "Choose a member of your organisation's staff"
        elif kind != SourceKind.STAFF:
            errors["source_kind"] = "Choose 'A member of staff' to name a member of staff"
    if "source_person" in real and person is not None:
        visible = Person.objects.visible_to(amender).filter(
            pk=person, organisation_id=concern.organisation_id
        )
        if not visible.exists():
            errors["source_person"] = "Choose a person you can see, or describe them instead"
        elif concern.links.filter(person_id=person).exists():
            errors["source_person"] = (
                "Choose someone other than the person at risk; for self-neglect, choose "
                "'The person themselves'"
            )
        elif kind != SourceKind.PERSON_SUPPORTED:
            errors["source_kind"] = "Choose 'Another person we support' to name them"
    if (
        kind == SourceKind.STAFF
        and staff is None
        and not (now["source_description"] or "").strip()
        and not (real.get("source_description", {}).get("to") or "").strip()
    ):
        errors["source_staff"] = "Choose the member of staff, or describe them"
    return errors


def amendment_problems(concern: Concern, now: dict, real: dict, policy) -> dict[str, list[str]]:
    """What an amendment would make of the concern that recording it would have refused
    (a future time, a child's category for an adult, a shift not in the policy, a
    required answer blanked), by field: refused when amended, not found at review."""
    errors: dict[str, list[str]] = {}
    after = {**now, **{name: change["to"] for name, change in real.items()}}
    for name in TEXT_FIELDS:
        if name in real and not isinstance(after[name], str):
            errors[name] = ["Give this answer as text"]
    if "occurred_at" in real:
        when = after["occurred_at"]
        try:
            when = when if isinstance(when, datetime) else datetime.fromisoformat(str(when))
        except ValueError:
            when = None
        if when is None or timezone.is_naive(when):
            errors["occurred_at"] = ["Give the time with its zone, e.g. 2026-11-24T22:30:00+00:00"]
        elif when > timezone.now() + FUTURE_TOLERANCE:
            errors["occurred_at"] = ["When it happened cannot be in the future"]
        else:
            for person in concern.people.all():
                if when.date() < person.date_of_birth:
                    errors.setdefault("occurred_at", []).append(
                        f"When it happened cannot be before {person.name} was born"
                    )
    if "shift" in real and after["shift"] not in policy.shift_labels():
        errors["shift"] = [
            f"Choose a shift from your policy: {', '.join(policy.shift_labels().values())}"
        ]
    if "categories" in real and isinstance(after["categories"], list):
        known = {c.code: c for c in policy.categories}
        for code in after["categories"]:
            if code in known and known[code].children_only:
                if any(p.age() >= 18 for p in concern.people.all()):
                    errors.setdefault("categories", []).append(
                        f"{known[code].label} is for children only: choose another category"
                    )
    if not errors:
        links = {"source_staff": concern.source_staff_id, "source_person": concern.source_person_id}
        before = standards.missing_requirements({**now, **links}, policy.standards)
        missing = standards.missing_requirements({**after, **links}, policy.standards)
        for name, message in missing.items():
            if name not in before:  # made by this amendment, not by a later policy
                errors.setdefault(name, []).append(message)
    return errors


def amendment(amender, concern: Concern, changes: dict, reason: str, policy) -> dict:
    """The changes an amendment really makes ({field: {"from", "to"}}), or
    ValidationError naming every field to fix."""
    errors = {}
    if len(reason) < 5:
        errors["reason"] = ["Say why you are amending the concern"]
    unknown = set(changes) - set(AMENDABLE)
    if unknown:
        errors["changes"] = [f"These cannot be amended: {', '.join(sorted(unknown))}"]
    now = current(concern)
    real = _real_changes(with_source(changes, now), now, unknown)
    if "categories" in real and (
        not real["categories"]["to"]
        or set(real["categories"]["to"]) - set(policy.category_labels())
    ):
        errors["categories"] = ["Choose categories from your policy"]
    for name, choices in CHOICE_FIELDS.items():
        if name in real and real[name]["to"] not in choices.values:
            errors[name] = [f"Choose one of: {', '.join(choices.labels)}"]
    if "risk_indicators" in real and (
        message := indicator_problem(real["risk_indicators"]["to"] or [], policy)
    ):
        errors["risk_indicators"] = [message]
    for name, found in amendment_problems(concern, now, real, policy).items():
        errors.setdefault(name, []).extend(found)
    for name, message in source_problems(amender, concern, real, now).items():
        errors.setdefault(name, []).append(message)
    if not real:
        errors["changes"] = ["Nothing has changed: amend at least one answer"]
    if errors:
        raise ValidationError(errors)
    return real


def _real_changes(changes: dict, now: dict, unknown) -> dict:
    real = {}
    for name, value in changes.items():
        if name in unknown:
            continue
        if name == "occurred_at":
            value = value.isoformat() if isinstance(value, datetime) else value
            old = now[name].isoformat() if isinstance(now[name], datetime) else now[name]
        else:
            old = now[name]
        if value != old:
            real[name] = {"from": old, "to": value}
    return real


def review_problems(concern: Concern, outcome: str, rationale: str) -> dict[str, list[str]]:
    errors = {}
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = ["Choose no further action, monitor or escalate"]
    if len((rationale or "").strip()) < 10:
        errors["rationale"] = [
            "Explain your decision: a reviewer reading this later needs your reasons"
        ]
    if hasattr(concern, "review"):
        errors["outcome"] = ["This concern has already been reviewed"]
    return errors
