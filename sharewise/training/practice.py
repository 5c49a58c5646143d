"""Practising a case: starting an attempt and finishing it with the member of staff's
choices, marked by `scoring`. Practice never touches a real record: no person,
concern, decision, referral or disclosure is made or read, and the trail records
"practice attempt" entries with no person. A finished attempt is never changed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations.access import scope_for
from sharewise.policy import store
from sharewise.training import assignments, casebook, scoring
from sharewise.training.models import Attempt


def policies(organisation_id: int):
    """(sharing, referrals, recording) policies in force for the organisation: practice
    is marked against the rules staff work to there."""
    return tuple(
        store.in_force(organisation_id, kind)[1] for kind in ("sharing", "referrals", "recording")
    )


def case_of(attempt: Attempt) -> casebook.Case | None:
    return casebook.get(attempt.case_code)


def best_scores(user) -> dict[str, int]:
    """This member of staff's best finished score per case."""
    rows = (
        Attempt.objects.filter(staff=user, finished_at__isnull=False)
        .values("case_code")
        .annotate(best=Max("score"))
    )
    return {row["case_code"]: row["best"] for row in rows}


def start(request, case: casebook.Case, *, via: str = "page") -> Attempt:
    """A new attempt at the case by the signed-in member of staff (permission checked
    by the caller)."""
    organisation_id = scope_for(request.user).organisation_id
    with transaction.atomic():
        attempt = Attempt.objects.create(
            organisation_id=organisation_id,
            staff=request.user,
            case_code=case.code,
            case_title=case.title,
            case_digest=case.digest(),
        )
        trail.record_request(
            request,
            "started a practice case",
            object_type="practice attempt",
            object_id=attempt.pk,
            organisation_id=organisation_id,
            detail={"case": case.code, "via": via},
        )
    return attempt


def finish(request, attempt: Attempt, chosen: dict, *, via: str = "page") -> Attempt:
    """Mark the choices, keep them with the feedback and score, and mark the member of
    staff's assignments of this case done. Raises ValidationError naming each field to
    fix; an attempt already finished, or someone else's, cannot be answered."""
    if attempt.staff_id != request.user.pk:
        raise ValidationError({"attempt": ["Only the person practising answers their case"]})
    case = case_of(attempt)
    if case is None:
        raise ValidationError({"attempt": ["This case is no longer in the casebook"]})
    sharing, referrals, recording = policies(attempt.organisation_id)
    if found := scoring.problems(case, chosen, sharing, referrals):
        raise ValidationError({k: [v] for k, v in found.items()})
    marked = scoring.mark(case, chosen, sharing, referrals, recording)
    with transaction.atomic():
        # Locked and checked again, so two submissions never both finish it.
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.finished_at is not None:
            raise ValidationError({"attempt": ["This attempt is finished: start the case again"]})
        locked.answers = chosen
        locked.feedback = marked.feedback
        locked.score = marked.score
        locked.finished_at = timezone.now()
        locked.save(update_fields=["answers", "feedback", "score", "finished_at"])
        trail.record_request(
            request,
            "practised a case",
            object_type="practice attempt",
            object_id=locked.pk,
            organisation_id=locked.organisation_id,
            detail={"case": case.code, "score": marked.score, "via": via},
        )
        assignments.mark_done(request.user, case_code=case.code, attempt=locked)
    return locked


def sent(attempt: Attempt) -> dict[str, str]:
    """For a finished referral case: what the recipient would have read, with the names
    the member of staff removed replaced (worked out again: nothing was sent)."""
    case = case_of(attempt)
    if case is None or case.referral is None or attempt.finished_at is None:
        return {}
    _, referrals, _ = policies(attempt.organisation_id)
    offered = {code for code, _ in scoring.offered_fields(case, referrals)}
    fields = [c for c in attempt.answers.get("fields") or () if c in offered]
    texts, _ = scoring.sent_texts(case, referrals, fields, attempt.answers.get("removed") or ())
    return texts
