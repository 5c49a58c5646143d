"""Training rows made directly, as practice, assigning and confirming would leave them,
for the tests of where training shows."""

from datetime import timedelta

from django.utils import timezone

from sharewise.policy import store
from sharewise.training.models import Assigned, Assignment, Attempt, Receipt


def attempt(
    cast, staff, score, *, code="consent-1", title="Refused but at risk", days_ago=1, feedback=None
):
    at = timezone.now() - timedelta(days=days_ago)
    return Attempt.objects.create(
        organisation=cast.org,
        staff=staff,
        case_code=code,
        case_title=title,
        case_digest="0" * 64,
        started_at=at - timedelta(minutes=20),
        finished_at=at,
        feedback=feedback or [],
        score=score,
    )


def receipt(cast, staff, kind="information_sharing", days_ago=1):
    version, _ = store.in_force(cast.org.pk, kind)
    return Receipt.objects.create(
        organisation=cast.org,
        staff=staff,
        policy=version,
        kind=kind,
        version=version.version,
        summary=["What changed"],
        confirmed_at=timezone.now() - timedelta(days=days_ago),
    )


def assignment(
    cast, staff, *, due_in=7, done=(), code="consent-1", source="lead", source_id=None, kind=""
):
    """An assignment reaching `staff`, done by those in `done`."""
    a = Assignment.objects.create(
        organisation=cast.org,
        what="policy" if kind else "case",
        case_code="" if kind else code,
        policy_kind=kind,
        due=timezone.localdate() + timedelta(days=due_in),
        source=source,
        source_id=source_id,
        created_by=cast.sarah,
    )
    for person in staff:
        Assigned.objects.create(
            assignment=a,
            staff=person,
            completed_at=timezone.now() if person in done else None,
        )
    return a


def policies_saved(cast):
    """Every policy staff confirm changed once since the shipped version, so it asks
    the staff it applies to to confirm."""
    from sharewise.training.applies import KINDS as CONFIRM_KINDS

    for kind in CONFIRM_KINDS:
        shipped, _ = store.in_force(cast.org.pk, kind)
        # changed once: the shipped version asks nobody to confirm
        store.save_version(cast.org.pk, kind, shipped.document, cast.sarah, "Changed")
