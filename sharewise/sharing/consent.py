"""Recording whether a person consents to information about them being shared, and
the capacity they were found to have for that decision."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharewise.policy import store
from sharewise.sharing.facts import current_assessment
from sharewise.sharing.models import (
    CapacityAssessment,
    ConsentCapacity,
    ConsentOutcome,
    ConsentRecord,
    NotSoughtReason,
)
from sharewise.sharing.writes import persons_concerns, write_trail

ASSESSED = (ConsentCapacity.HAS_CAPACITY, ConsentCapacity.LACKS_CAPACITY)


def _asking_problems(data: dict, errors: dict) -> None:
    """The purpose, the outcome and why it was not sought, and how it was explained."""
    outcome = data.get("outcome") or ""
    reason = data.get("not_sought_reason") or ""
    if not (data.get("purpose") or "").strip():
        errors["purpose"] = ["Say what the information would be shared for, and with whom"]
    if outcome not in ConsentOutcome.values:
        errors["outcome"] = ["Choose whether consent was given, refused, withdrawn or not sought"]
    if outcome == ConsentOutcome.NOT_SOUGHT and reason not in NotSoughtReason.values:
        errors["not_sought_reason"] = ["Say why consent was not sought"]
    elif outcome in ConsentOutcome.values and outcome != ConsentOutcome.NOT_SOUGHT and reason:
        errors["not_sought_reason"] = [
            "The person was asked: leave 'why they were not asked' blank, or choose 'not sought'"
        ]
    if outcome in (ConsentOutcome.GIVEN, ConsentOutcome.REFUSED, ConsentOutcome.WITHDRAWN):
        if not (data.get("explained_how") or "").strip():
            errors["explained_how"] = [
                "Say how it was explained: what would be shared, with whom and why"
            ]
    asked_at = data.get("asked_at")
    if isinstance(asked_at, datetime) and asked_at > timezone.now() + timedelta(minutes=5):
        errors["asked_at"] = ["When consent was asked cannot be in the future"]


def _assessment_relied_on(person, data: dict, errors: dict) -> CapacityAssessment | None:
    """The capacity assessment the answer rests on: the one named, or the current one
    when the person was found to have or lack capacity; it must say the same."""
    capacity = data.get("capacity") or ""
    if capacity not in ConsentCapacity.values:
        errors["capacity"] = ["Choose the person's capacity for this decision"]
    assessment = None
    if data.get("capacity_assessment_id"):
        assessment = CapacityAssessment.objects.filter(
            person=person, pk=data["capacity_assessment_id"]
        ).first()
        if assessment is None:
            errors["capacity_assessment_id"] = ["Not a capacity assessment of this person"]
            return None
        if capacity == ConsentCapacity.PRESUMED:
            errors["capacity"] = [
                "You named a capacity assessment: choose what it found, not 'presumed'"
            ]
    elif capacity in ASSESSED:
        _, policy = store.in_force(person.organisation_id, "sharing")
        assessment = current_assessment(person, policy)
    if capacity not in ASSESSED:
        return assessment
    if assessment is None:
        errors["capacity"] = [
            "There is no current capacity assessment for this person: record one "
            "first, or choose 'presumed to have capacity'"
        ]
    elif assessment.conclusion != capacity:
        errors["capacity"] = [
            f"The capacity assessment of {assessment.assessed_at:%-d %B %Y} found the "
            f"person {assessment.conclusion_label.lower()}: choose that, or record a "
            "new assessment"
        ]
    return assessment


@transaction.atomic
def record_consent(request, person, data: dict, *, via="page") -> ConsentRecord:
    errors: dict[str, list[str]] = {}
    _asking_problems(data, errors)
    assessment = _assessment_relied_on(person, data, errors)
    concern_ids = persons_concerns(person, data.get("concern_ids"), errors)
    if errors:
        raise ValidationError(errors)
    outcome = data["outcome"]
    consent = ConsentRecord.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        purpose=data["purpose"].strip(),
        asked_by=request.user if outcome != ConsentOutcome.NOT_SOUGHT else None,
        asked_at=data.get("asked_at") or timezone.now(),
        explained_how=(data.get("explained_how") or "").strip(),
        outcome=outcome,
        not_sought_reason=data.get("not_sought_reason") or ""
        if outcome == ConsentOutcome.NOT_SOUGHT
        else "",
        persons_words=(data.get("persons_words") or "").strip(),
        capacity=data["capacity"],
        capacity_assessment=assessment,
        recorded_by=request.user,
    )
    consent.concerns.set(concern_ids)
    write_trail(request, "recorded consent", consent, person, via, outcome=outcome)
    return consent
