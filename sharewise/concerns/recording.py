"""Recording, amending and reviewing concerns. The form, the API and the import all
come through here, so a concern is checked the same way whichever door it used."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sharewise.audittrail import records, trail
from sharewise.concerns import shifts, signals, standards, urgent
from sharewise.concerns.models import (
    Amendment,
    AwaitingReview,
    Concern,
    ConcernPerson,
    InformationSource,
    Injury,
    Review,
    ReviewOutcome,
    Severity,
    SharingView,
    SourceKind,
    review_due,
)
from sharewise.policy import store
from sharewise.policy.documents import NO_INDICATOR

# A recorder's clock may run a little ahead of the server's.
FUTURE_TOLERANCE = timedelta(minutes=5)

TEXT_FIELDS = (
    "facts",
    "persons_words",
    "persons_wishes",
    "sharing_view_reason",
    "immediate_action",
    "who_was_told",
    "source_description",
    "injury_location",
    "reported_by",
)
CHOICE_FIELDS = {
    "sharing_view": SharingView,
    "source_kind": SourceKind,
    "injury": Injury,
    "information_source": InformationSource,
    "severity": Severity,
}
# What each answer is called on the concern page, in amendments and the chronology.
ANSWER_NAMES = {
    "facts": "What happened",
    "persons_words": "Their own words",
    "persons_wishes": "What they want to happen",
    "sharing_view": "Their view on sharing",
    "sharing_view_reason": "Why (their view on sharing)",
    "immediate_action": "What was done straight away",
    "who_was_told": "Who was told",
    "source_kind": "Alleged source of harm",
    "source_staff": "Alleged source: member of staff",
    "source_person": "Alleged source: person we support",
    "source_description": "Alleged source, described",
    "injury": "Injury",
    "injury_location": "Where on the body",
    "information_source": "How we know",
    "reported_by": "Who reported it",
    "occurred_at": "When",
    "categories": "Categories",
    "severity": "Severity",
    "shift": "Shift",
    "risk_indicators": "Risk questions",
}
AMENDABLE = (
    *TEXT_FIELDS,
    "categories",
    "occurred_at",
    "severity",
    "injury",
    "sharing_view",
    "information_source",
    "source_kind",
    "shift",
    "risk_indicators",
    *("source_staff", "source_person"),
)
# Amendable answers that link to a record: kept as ids in an amendment's changes, and
# on the concern's own row as the alleged source currently known (every visibility
# rule reads source_staff there).
LINKS = ("source_staff", "source_person")


@dataclass
class Draft:
    """What a recorder gives, already parsed into Python values."""

    people: list
    occurred_at: datetime | None
    service: object
    team: object
    categories: list[str]
    answers: dict = field(default_factory=dict)  # text and choice fields by name
    shift: str = ""
    source_staff: object = None
    source_person: object = None
    external_ref: str = ""
    risk_indicators: list[str] = field(default_factory=list)


def policy_for(organisation_id):
    return store.in_force(organisation_id, "recording")


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
    for name, message in standards.missing_requirements(_answers(draft), policy.standards).items():
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


def _answers(draft: Draft) -> dict:
    return {
        **{k: (v.strip() if isinstance(v, str) else v) for k, v in draft.answers.items()},
        "source_staff": draft.source_staff,
        "source_person": draft.source_person,
        "risk_indicators": draft.risk_indicators,
    }


@transaction.atomic
def record(
    request,
    organisation_id: int,
    draft: Draft,
    *,
    actor=None,
    address=None,
    recorded_at=None,
    recorded_by=None,
    in_force=None,
    imported=False,
    together=False,
    submission_key=None,
) -> Concern:
    """Save a concern, or raise ValidationError naming every field to fix. Without a
    request (import, demo), actor says who; recorded_at and recorded_by only for
    historic records (recorded_by: who recorded it then, when not the actor);
    in_force: policy_for()'s answer, when the caller (an import) already holds it;
    together: the caller saves many and sends concerns_recorded_together after;
    submission_key: the form's key for this concern, so that sending it again records
    it once (the concern recorded the first time is returned)."""
    recorder = recorded_by or actor or request.user
    if submission_key and (earlier := already_recorded(recorder, submission_key)):
        return earlier
    version, policy = in_force or policy_for(organisation_id)
    errors = problems(draft, organisation_id, policy)
    if errors:
        raise ValidationError(errors)
    answers = _answers(draft)
    local = timezone.localtime(draft.occurred_at)
    recorded_at = recorded_at or timezone.now()
    try:
        with transaction.atomic():
            concern = Concern.objects.create(
                organisation_id=organisation_id,
                recorded_by=recorder,
                recorded_at=recorded_at,
                occurred_at=draft.occurred_at,
                service=draft.service,
                team=draft.team,
                shift=draft.shift or shifts.shift_for(local.time(), policy.shifts),
                categories=list(dict.fromkeys(draft.categories)),
                risk_indicators=list(dict.fromkeys(draft.risk_indicators)),
                source_staff=draft.source_staff,
                source_person=draft.source_person,
                unmet_standards=[s.code for s in standards.unmet(answers, policy.standards)],
                prompts_left=[s.code for s in standards.prompts(answers, policy.standards)],
                review_due_at=review_due(recorded_at, answers["severity"], policy),
                policy_version=version,
                external_ref=draft.external_ref,
                imported=imported,
                submission_key=submission_key,
                **{k: answers.get(k) or "" for k in TEXT_FIELDS},
                **{k: answers[k] for k in CHOICE_FIELDS if answers.get(k)},
            )
    except IntegrityError:
        # The same form sent twice at once: the other request recorded it.
        earlier = submission_key and already_recorded(recorder, submission_key)
        if not earlier:
            raise
        return earlier
    ConcernPerson.objects.bulk_create(
        ConcernPerson(concern=concern, person=p) for p in draft.people
    )
    if not imported:
        AwaitingReview.objects.create(
            concern=concern,
            organisation_id=organisation_id,
            team=draft.team,
            due_at=concern.review_due_at,
        )
    write_change(
        request, "recorded concern", concern, draft.people, actor=actor, address=address, new=True
    )
    if not together:
        signals.concern_recorded.send(
            Concern, concern=concern, at=recorded_at, person_ids=[p.pk for p in draft.people]
        )
    if not imported:
        urgent.tell(concern)
    return concern


def already_recorded(recorder, submission_key):
    """The concern this person already recorded from the form with this key, if any."""
    return Concern.objects.filter(recorded_by=recorder, submission_key=submission_key).first()


def write_change(request, action, concern, people, *, new=False, **more):
    """Every write to a concern comes through here: one trail entry for each person it
    is about, each carrying the digest of the concern (and its amendments) as it now
    stands, so that whatever the write changed is vouched for and verify_trail
    --records notices any change made behind the application's back. new: the concern
    was just made from this instance, so its digest needs no query (imports)."""
    found = records.digests(concern) if new else records.digests_now(concern)
    for person in people:
        write_trail(request, action, concern, person, **more, **{records.DETAIL_KEY: found})


def write_trail(request, action, concern, person, reason="", actor=None, address=None, **detail):
    """One trail entry against one person a concern is about (by request, or by actor
    for imports and the demo). Writes go through write_change()."""
    if request is not None:
        trail.record_request(
            request,
            action,
            object_type="concern",
            object_id=concern.pk,
            person_id=person.pk,
            organisation_id=concern.organisation_id,
            reason=reason,
            detail=detail,
        )
    else:
        trail.record(
            actor=actor,
            action=action,
            object_type="concern",
            object_id=concern.pk,
            person_id=person.pk,
            organisation_id=concern.organisation_id,
            address=address,
            reason=reason,
            detail=detail,
        )


def current(concern: Concern) -> dict:
    """The concern as it reads now: the original with every amendment applied."""
    values = {name: getattr(concern, name) for name in AMENDABLE if name not in LINKS}
    values |= {name: getattr(concern, f"{name}_id") for name in LINKS}
    for amendment in concern.amendments.all():
        for name, change in amendment.changes.items():
            values[name] = change["to"]
    return values


def as_recorded(concern: Concern, name: str):
    """A linked answer (source_staff, source_person) as first recorded: the row holds
    it as now known, and the first amendment that changed it says what it was."""
    for amendment in concern.amendments.all():
        if name in amendment.changes:
            return amendment.changes[name]["from"]
    return getattr(concern, f"{name}_id")


def unmet_now(concern: Concern, policy) -> list:
    """Standards the concern, as amended, still does not meet. (The list stored on the
    concern stays as it was when recorded: audits count that.)"""
    answers = {
        **current(concern),
        "source_staff": concern.source_staff_id,
        "source_person": concern.source_person_id,
    }
    return standards.unmet(answers, policy.standards)


@transaction.atomic
def amend(request, concern: Concern, changes: dict, reason: str) -> Amendment:
    """Record corrections to a concern. changes: {field: new value}."""
    reason = (reason or "").strip()
    errors = {}
    if len(reason) < 5:
        errors["reason"] = ["Say why you are amending the concern"]
    unknown = set(changes) - set(AMENDABLE)
    if unknown:
        errors["changes"] = [f"These cannot be amended: {', '.join(sorted(unknown))}"]
    now = current(concern)
    changes = _with_source(changes, now)
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
    _, policy = policy_for(concern.organisation_id)
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
    for name, message in source_problems(request.user, concern, real, now).items():
        errors.setdefault(name, []).append(message)
    if not real:
        errors["changes"] = ["Nothing has changed: amend at least one answer"]
    if errors:
        raise ValidationError(errors)
    amendment = Amendment.objects.create(
        concern=concern, amended_by=request.user, reason=reason, changes=real
    )
    linked = {f"{name}_id": real[name]["to"] for name in LINKS if name in real}
    if linked:
        Concern.objects.filter(pk=concern.pk).update(**linked)
        for column, value in linked.items():
            setattr(concern, column, value)
        for name in LINKS:  # drop what select_related cached
            concern._state.fields_cache.pop(name, None)
    # After relinking, so the digest in the trail is of the row as it now stands.
    write_change(
        request,
        "amended concern",
        concern,
        concern.people.all(),
        reason=reason,
        fields=sorted(real),
    )
    signals.concern_amended.send(Concern, concern=concern, at=amendment.amended_at)
    return amendment


def _with_source(changes: dict, now: dict) -> dict:
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
    from django.contrib.auth import get_user_model

    from sharewise.people.models import Person

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


@transaction.atomic
def review(
    request, concern: Concern, outcome: str, rationale: str, *, actor=None, at=None
) -> Review:
    errors = {}
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = ["Choose no further action, monitor or escalate"]
    if len((rationale or "").strip()) < 10:
        errors["rationale"] = [
            "Explain your decision: a reviewer reading this later needs your reasons"
        ]
    if hasattr(concern, "review"):
        errors["outcome"] = ["This concern has already been reviewed"]
    if errors:
        raise ValidationError(errors)
    AwaitingReview.objects.filter(concern=concern).delete()
    done = Review.objects.create(
        concern=concern,
        reviewed_by=actor or request.user,
        reviewed_at=at or timezone.now(),
        outcome=outcome,
        rationale=rationale.strip(),
    )
    write_change(
        request, "reviewed concern", concern, concern.people.all(), actor=actor, outcome=outcome
    )
    signals.concern_reviewed.send(Concern, concern=concern, review=done)
    return done


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
