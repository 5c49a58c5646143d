"""A person's sharing decisions over time: which one stands (sharing.standing works it
out), those waiting for a countersignature, who is asked to countersign, and the alert
a signed decision settles."""

from django.db.models import Q
from django.urls import reverse

from sharewise.audittrail import trail
from sharewise.concerns.access import who_may_see
from sharewise.organisations.models import Membership, Role, staff_name
from sharewise.patterns import operations as alertlib
from sharewise.patterns.models import Alert, Notification
from sharewise.patterns.models import Outcome as AlertOutcome
from sharewise.sharing import standing
from sharewise.sharing.models import SharingDecision
from sharewise.sharing.writes import digests


def standing_and_waiting(person) -> tuple[SharingDecision | None, list[SharingDecision]]:
    """The person's standing (signed) decision, and those waiting for a countersignature."""
    about = SharingDecision.objects.filter(person=person).select_related("decided_by")
    return (
        about.filter(standing=True).first(),
        list(about.filter(status=SharingDecision.Status.AWAITING_COUNTERSIGN)),
    )


def history(person_id: int) -> list[standing.Decision]:
    """The person's decisions as sharing.standing reads them."""
    return [
        standing.Decision(*row)
        for row in SharingDecision.objects.filter(person_id=person_id).values_list(
            "id", "decided_at", "outcome", "status", "countersigned_at", "review_date"
        )
    ]


def settle_standing(person_id: int) -> SharingDecision | None:
    """Mark the person's standing decision as sharing.standing works it out, and mark
    as superseded any decision still waiting for a countersignature that a later signed
    decision has replaced. Call after every change to a decision's history."""
    past = history(person_id)
    stands = standing.standing(past)
    stale = [
        d.id
        for d in past
        if d.status == standing.AWAITING and standing.superseded_by(past, d.id) is not None
    ]
    if stale:
        SharingDecision.objects.filter(pk__in=stale).update(
            status=SharingDecision.Status.SUPERSEDED
        )
        for decision in SharingDecision.objects.filter(pk__in=stale):
            trail.record(
                action="sharing decision superseded",
                object_type="sharingdecision",
                object_id=decision.pk,
                person_id=decision.person_id,
                organisation_id=decision.organisation_id,
                detail={"by_decision": stands.id if stands else None, **digests(decision)},
            )
    decisions = SharingDecision.objects.filter(person_id=person_id)
    decisions.filter(standing=True).exclude(pk=getattr(stands, "id", None)).update(standing=False)
    if stands is None:
        return None
    decisions.filter(pk=stands.id, standing=False).update(standing=True)
    return SharingDecision.objects.get(pk=stands.id)


def notify_countersigners(decision) -> None:
    roles = (
        [Role.SAFEGUARDING_LEAD]
        if decision.countersign_needs_lead
        else [Role.SAFEGUARDING_LEAD, Role.DATA_PROTECTION_OFFICER]
    )
    to = set(
        Membership.objects.filter(
            organisation_id=decision.organisation_id, role__in=roles, user__is_active=True
        ).values_list("user_id", flat=True)
    ) - {decision.decided_by_id}
    # Nobody hears of a decision about concerns they may not see (naming them, say).
    to = who_may_see(to, decision.concerns.values_list("pk", flat=True))
    link = reverse("sharing_decision", args=[decision.pk])
    message = f"A sharing decision waits for your countersignature ({decision.pk})"
    if decision.contradicts_id:
        message = (
            f"A sharing decision contradicting standing decision {decision.contradicts_id} "
            f"waits for your countersignature ({decision.pk})"
        )
    Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            message=message,
            link=link,
        )
        for user_id in sorted(to)
    )


def settle_alert(decision) -> None:
    """The alert the decision was made from is decided by it, with every alert waiting
    with it in its case for decision."""
    if decision.alert_id is None:
        return
    alert = Alert.objects.filter(pk=decision.alert_id).first()
    if alert is None or not alert.is_waiting:
        return
    reasons = (
        f"Escalated to sharing decision {decision.pk}, decided by "
        f"{staff_name(decision.decided_by)}: {decision.get_outcome_display().lower()}. "
        f"{decision.necessity}"
    )
    waiting = Alert.objects.needing_decision().filter(
        Q(pk=alert.pk) | Q(case_id=alert.case_id) if alert.case_id else Q(pk=alert.pk)
    )
    for each in waiting.order_by("id"):
        alertlib.decide(None, each, AlertOutcome.ESCALATE, reasons, actor=decision.decided_by)
