"""An alert in the audit trail: one entry per person whose record it is part of."""

from __future__ import annotations

from sharewise.audittrail import trail
from sharewise.concerns.models import ConcernPerson
from sharewise.patterns.models import Alert, AlertConcern


def people_of(alert: Alert) -> list[int]:
    """Everyone whose record an alert is part of."""
    return sorted(
        set(
            ConcernPerson.objects.filter(
                concern_id__in=AlertConcern.objects.filter(alert=alert).values("concern_id")
            ).values_list("person_id", flat=True)
        )
    )


def people_in(concern_ids, known) -> list[int]:
    """The people these concerns are about, from facts in hand."""
    return sorted({pid for i in concern_ids if i in known for pid in known[i].person_ids})


def record_trail(alert, action, *, actor=None, request=None, reason="", people=None, **detail):
    """One entry per person the alert is about (or `people`, when only some are
    touched: new concerns joining a service's alert touch only their own people)."""
    people = (people if people is not None else people_of(alert)) or [None]
    if request is not None:
        trail.record_reads(
            request,
            action,
            people,
            organisation_id=alert.organisation_id,
            object_type="alert",
            object_id=alert.pk,
            reason=reason,
            detail={"rule": alert.rule, **detail},
        )
        return
    for person_id in people:
        trail.record(
            actor=actor,
            action=action,
            object_type="alert",
            object_id=alert.pk,
            person_id=person_id,
            organisation_id=alert.organisation_id,
            reason=reason,
            detail={"rule": alert.rule, **detail},
        )
