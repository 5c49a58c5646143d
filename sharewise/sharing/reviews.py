"""The reviews that stop a refusal being the end of the matter: new concerns about
someone whose standing decision is not to share, a review date come, and a decision
about a review alert."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations.models import staff_name
from sharewise.patterns import operations as alertlib
from sharewise.policy import store
from sharewise.sharing.models import DecisionAmendment, SharingDecision
from sharewise.sharing.writes import digests


def _review_words(decision, new_ids=(), due=False) -> str:
    when = f"{timezone.localtime(decision.decided_at):%-d %B %Y}"
    what = decision.get_outcome_display().lower()
    text = f"Sharing decision {decision.pk} ({what}, {when}) "
    if due:
        text += f"was due for review on {decision.review_date:%-d %B %Y}."
    else:
        n = len(new_ids)
        text += (
            f"is challenged by {n} new concern{'s' if n != 1 else ''} recorded since: "
            "look again at whether to share."
        )
    return text


def concerns_after_refusal(concern_ids, person_ids, organisation_id, at=None) -> int:
    """New concerns about someone whose standing decision is not to share raise the
    review at once, not on the review date. Returns the number of alerts flagged."""
    standing = list(
        SharingDecision.objects.standing_refusals()
        .filter(person_id__in=person_ids)
        .only("pk", "person_id", "decided_at", "outcome")  # on every concern recorded
    )
    for decision in standing:
        alertlib.flag(
            organisation_id,
            "decision_review",
            decision.person_id,
            concern_ids,
            _review_words(decision, concern_ids),
            at=at,
            note=f"New concerns after sharing decision {decision.pk}",
        )
    return len(standing)


def reviews_due(organisation_id: int, now: datetime | None = None) -> int:
    """For `sweep`: a decision not to share whose review date has come raises its
    review alert, once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    made = 0
    with transaction.atomic():
        due = list(
            SharingDecision.objects.standing_refusals()
            .select_for_update()
            .filter(
                organisation_id=organisation_id,
                review_alerted_at__isnull=True,
                review_date__lte=today,
            )
        )
        for decision in due:
            alertlib.flag(
                organisation_id,
                "decision_review",
                decision.person_id,
                list(decision.concerns.values_list("pk", flat=True)),
                _review_words(decision, due=True),
                at=now,
                note=f"Review date of sharing decision {decision.pk}",
            )
            decision.review_alerted_at = now
            decision.save(update_fields=["review_alerted_at"])
            made += 1
    return made


def review_settled(alert, alert_decision) -> SharingDecision | None:
    """A decision about a refusal's review alert is a review of the standing refusal: it
    stays, and comes back on its next review date (the end of monitoring, or the
    policy's days from now), so no refusal is ever left without one. A decision made
    from the alert after it was raised is a new decision and needs nothing here."""
    if alert.rule != "decision_review" or alert.person_id is None:
        return None
    refusal = (
        SharingDecision.objects.standing_refusals()
        .select_for_update()
        .filter(person_id=alert.person_id, decided_at__lt=alert.waiting_since)
        .first()
    )
    if refusal is None:
        return None
    _, policy = store.in_force(refusal.organisation_id, "sharing")
    today = timezone.localdate(alert_decision.decided_at)
    latest = today + timedelta(days=policy.max_review_days)
    after = alert_decision.monitor_until or today + timedelta(days=policy.review_days)
    after = min(after, latest)
    by = alert_decision.decided_by
    changes = {}
    if refusal.review_date != after:
        changes["review_date"] = {
            "from": str(refusal.review_date or ""),
            "to": after.isoformat(),
        }
    refusal.review_date = after
    refusal.review_alerted_at = None
    refusal.save(update_fields=["review_date", "review_alerted_at"])
    DecisionAmendment.objects.create(
        decision=refusal,
        amended_by=by,
        amended_at=alert_decision.decided_at,
        reason=(
            f"Reviewed on alert {alert.pk} by {staff_name(by)} "
            f"({alert_decision.get_outcome_display().lower()}): {alert_decision.rationale} "
            f"The decision stands until a new one is signed; next review {after:%-d %B %Y}."
        ),
        changes=changes,
    )
    trail.record(
        actor=by,
        action="reviewed sharing decision",
        object_type="sharingdecision",
        object_id=refusal.pk,
        person_id=refusal.person_id,
        organisation_id=refusal.organisation_id,
        detail={"alert": alert.pk, "next_review": after.isoformat(), **digests(refusal)},
    )
    return refusal
