"""Recording, amending and reviewing concerns: the one way to write a concern. The
form, the API and the import all come through here, so a concern is checked (checks)
and permitted the same way whichever door it used, and every write reaches the trail."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sharewise.audittrail import records, trail
from sharewise.concerns import checks, shifts, signals, standards, urgent

# What a concern's answers are, and its checks, read through here by pages, the API
# and other apps.
from sharewise.concerns.answers import (  # noqa: F401
    AMENDABLE,
    ANSWER_NAMES,
    CHOICE_FIELDS,
    FUTURE_TOLERANCE,
    LINKS,
    TEXT_FIELDS,
    Draft,
    as_recorded,
    current,
    policy_for,
    unmet_now,
)
from sharewise.concerns.checks import indicator_problem, problems  # noqa: F401
from sharewise.concerns.models import (
    Amendment,
    AwaitingReview,
    Concern,
    ConcernPerson,
    Review,
    review_due,
)


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
    recorded_at = recorded_at or timezone.now()
    try:
        with transaction.atomic():
            concern = Concern.objects.create(
                organisation_id=organisation_id,
                recorded_by=recorder,
                recorded_at=recorded_at,
                policy_version=version,
                imported=imported,
                submission_key=submission_key,
                **_columns(draft, recorded_at, policy),
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


def _columns(draft: Draft, recorded_at, policy) -> dict:
    """The concern's own columns from a checked draft."""
    answers = checks.answers_of(draft)
    local = timezone.localtime(draft.occurred_at)
    return dict(
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
        external_ref=draft.external_ref,
        **{k: answers.get(k) or "" for k in TEXT_FIELDS},
        **{k: answers[k] for k in CHOICE_FIELDS if answers.get(k)},
    )


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


@transaction.atomic
def amend(request, concern: Concern, changes: dict, reason: str) -> Amendment:
    """Record corrections to a concern. changes: {field: new value}."""
    if not request.user.has_perm("concerns.amend_concern", concern):
        raise PermissionDenied(
            "Only the recorder, the team's manager or a safeguarding lead can amend a concern."
        )
    reason = (reason or "").strip()
    _, policy = policy_for(concern.organisation_id)
    real = checks.amendment(request.user, concern, changes, reason, policy)
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


@transaction.atomic
def review(
    request, concern: Concern, outcome: str, rationale: str, *, actor=None, at=None
) -> Review:
    """Record a team manager's or lead's review of a concern: it leaves the queue."""
    if not (actor or request.user).has_perm("concerns.review_concern", concern):
        raise PermissionDenied(
            "Only the team's manager or a safeguarding lead can review this concern."
        )
    if errors := checks.review_problems(concern, outcome, rationale):
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
