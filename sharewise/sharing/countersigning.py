"""Countersigning a decision that waits for it: by a lead or the data protection
officer who did not make it, agreeing or saying why not."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sharewise.concerns.models import Concern, ConcernPerson
from sharewise.patterns.models import Notification
from sharewise.sharing import standing
from sharewise.sharing.history import history, settle_alert, settle_standing
from sharewise.sharing.models import SharingDecision
from sharewise.sharing.reviews import concerns_after_refusal
from sharewise.sharing.writes import words, write_trail


@transaction.atomic
def countersign(request, decision, agree: bool, note: str, *, via="page") -> SharingDecision:
    decision = SharingDecision.objects.select_for_update().get(pk=decision.pk)
    errors = {}
    if decision.status != SharingDecision.Status.AWAITING_COUNTERSIGN:
        errors["status"] = ["This decision is not waiting for a countersignature"]
    elif agree and (later := standing.superseded_by(history(decision.person_id), decision.pk)):
        errors["status"] = [
            f"Sharing decision {later.id}, made after this one, already stands: this one "
            "can no longer be countersigned. Decline it, or record a new decision"
        ]
    if not agree and words(note) < 5:
        errors["note"] = [
            "Say why you do not agree (at least 5 words), so the decider knows what to do next"
        ]
    if errors:
        raise ValidationError(errors)
    decision.countersigned_by = request.user
    decision.countersigned_at = timezone.now()
    decision.countersign_note = (note or "").strip()
    decision.status = SharingDecision.Status.SIGNED if agree else SharingDecision.Status.DECLINED
    decision.save(
        update_fields=["countersigned_by", "countersigned_at", "countersign_note", "status"]
    )
    stands = settle_standing(decision.person_id)
    decision.standing = stands is not None and stands.pk == decision.pk
    write_trail(
        request,
        "countersigned sharing decision" if agree else "declined to countersign sharing decision",
        decision,
        decision.person,
        via,
    )
    Notification.objects.create(
        recipient=decision.decided_by,
        message=(
            f"Your sharing decision {decision.pk} was countersigned"
            if agree
            else f"Your sharing decision {decision.pk} was not countersigned: a new decision is needed"
        ),
        link=reverse("sharing_decision", args=[decision.pk]),
    )
    if agree:
        settle_alert(decision)
        if not decision.is_sharing:
            # Concerns recorded while it waited challenge it as any later ones would.
            since = list(
                Concern.objects.filter(
                    pk__in=ConcernPerson.objects.filter(person_id=decision.person_id).values(
                        "concern_id"
                    ),
                    recorded_at__gt=decision.decided_at,
                ).values_list("pk", flat=True)
            )
            if since:
                concerns_after_refusal(since, [decision.person_id], decision.organisation_id)
    return decision
