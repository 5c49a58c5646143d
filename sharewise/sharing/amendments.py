"""Amending a decision's details: who received it, what was shared and how, telling
the person, the review date. What was decided, and why, needs a new decision."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharewise.policy import store
from sharewise.sharing.models import Channel, DecisionAmendment, SharingDecision
from sharewise.sharing.writes import words, write_trail

AMENDABLE = (  # a subset of SharingDecision.CHANGEABLE
    "recipient_organisation",
    "recipient_role",
    "recipient_name",
    "what_shared",
    "channel",
    "person_told",
    "not_told_reason",
    "review_date",
)


@transaction.atomic
def amend(request, decision, changes: dict, reason: str, *, via="page") -> DecisionAmendment:
    """Correct a decision's details (recipient, what was shared, telling the person, the
    review date). What was decided, and why, is never changed: that needs a new decision."""
    decision = SharingDecision.objects.select_for_update().get(pk=decision.pk)
    errors = {}
    if words(reason) < 3:
        errors["reason"] = ["Say why you are amending the decision"]
    if bad := set(changes) - set(AMENDABLE):
        errors["changes"] = [
            "These cannot be amended (record a new decision instead): " + ", ".join(sorted(bad))
        ]
    if "channel" in changes and changes["channel"] not in Channel.values:
        errors["channel"] = ["Choose how it was shared"]
    if "person_told" in changes and changes["person_told"] not in ("yes", "no"):
        errors["person_told"] = ["Say yes or no"]
    if "review_date" in changes:
        _, policy = store.in_force(decision.organisation_id, "sharing")
        today = timezone.localdate()
        review = changes["review_date"]
        if decision.is_sharing:
            errors["review_date"] = ["Only a decision not to share has a review date"]
        elif not isinstance(review, date) or review <= today:
            errors["review_date"] = ["The review date must be in the future"]
        elif review > today + timedelta(days=policy.max_review_days):
            errors["review_date"] = [f"Review within {policy.max_review_days} days"]
    diff = {}
    for name, value in changes.items():
        old = getattr(decision, name)
        if old != value:
            diff[name] = {"from": str(old or ""), "to": str(value or "")}
    if not diff and not errors:
        errors["changes"] = ["Nothing has changed"]
    if errors:
        raise ValidationError(errors)
    for name in diff:
        setattr(decision, name, changes[name])
    if "review_date" in diff:
        decision.review_alerted_at = None
    decision.save(update_fields=[*diff, "review_alerted_at"])
    amendment = DecisionAmendment.objects.create(
        decision=decision, amended_by=request.user, reason=reason.strip(), changes=diff
    )
    write_trail(
        request, "amended sharing decision", decision, decision.person, via, fields=sorted(diff)
    )
    return amendment
