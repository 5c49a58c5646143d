"""Destroying what alerts hold about people past retention (see sharewise/retention):
the reasons given in deciding their alerts and cases, notes on their alerts' history,
and their names wherever an alert's explanation or a notification says them. Alerts,
rules, categories, dates and statuses stay, so the counts stay."""

from django.db.models import Q

from sharewise.patterns.models import (
    Alert,
    AlertDecision,
    AlertEvent,
    CaseForDecision,
    Notification,
)
from sharewise.people.destroying import mentioning, redact, words_naming


def _redact_rows(queryset, fields, words) -> int:
    rows = list(queryset.filter(mentioning(fields, words))) if words else []
    for row in rows:
        for field in fields:
            setattr(row, field, redact(getattr(row, field), words))
    queryset.model.objects.bulk_update(rows, list(fields), batch_size=500)
    return len(rows)


def destroy(person_ids: list[int]) -> dict[str, int]:
    words = words_naming(person_ids)
    theirs = Alert.objects.filter(Q(person_id__in=person_ids) | Q(source_person_id__in=person_ids))
    only_theirs = theirs.filter(person_id__in=person_ids)
    return {
        "alert decisions": AlertDecision.objects.filter(alert__in=only_theirs).update(rationale=""),
        "alert notes": AlertEvent.objects.filter(alert__in=only_theirs).update(note=""),
        "cases for decision": CaseForDecision.objects.filter(person_id__in=person_ids).update(
            rationale=""
        ),
        "alerts naming them": _redact_rows(Alert.objects.all(), ("explanation",), words),
        "alert decisions naming them": _redact_rows(
            AlertDecision.objects.all(), ("rationale",), words
        ),
        "notifications naming them": _redact_rows(Notification.objects.all(), ("message",), words),
    }
