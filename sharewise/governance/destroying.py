"""Destroying what governance records hold about people past retention (see
sharewise/retention): minutes and case-file notes about them lose their text; findings,
lessons, actions, supervision sessions and meeting agendas keep theirs with the
people's names taken out. Findings, counts and dates stay, and evidence packs are
de-identified already (their figures never change)."""

from sharewise.governance.models import (
    Action,
    EvidencePack,
    Finding,
    Lesson,
    Meeting,
    Minute,
    SampleItem,
    Supervision,
)
from sharewise.people.destroying import mentioning, redact, redact_json, words_naming


def _redact(model, text=(), json=(), words=()) -> int:
    """Rows of the model whose text names the people, with the names taken out. JSON
    fields are searched as text (a few rows: the agendas and sessions)."""
    if not words:
        return 0
    rows = list(model.objects.filter(mentioning(text, words))) if text else []
    if json:
        seen = {r.pk for r in rows}
        rows += [
            r
            for r in model.objects.exclude(pk__in=seen).only("pk", *json, *text).iterator()
            if redact_json([getattr(r, f) for f in json], words) != [getattr(r, f) for f in json]
        ]
    for row in rows:
        for field in text:
            setattr(row, field, redact(getattr(row, field), words))
        for field in json:
            setattr(row, field, redact_json(getattr(row, field), words))
    model.objects.bulk_update(rows, [*text, *json], batch_size=200)
    return len(rows)


def destroy(person_ids: list[int]) -> dict[str, int]:
    words = words_naming(person_ids)
    return {
        "meeting minutes": Minute.objects.filter(person_id__in=person_ids).update(
            discussion="", decision="", title=""
        ),
        "case-file audit notes": SampleItem.objects.filter(person_id__in=person_ids).update(
            notes=""
        ),
        "findings naming them": _redact(Finding, ("title", "summary", "closed_note"), (), words),
        "minutes naming them": _redact(Minute, ("title", "discussion", "decision"), (), words),
        "lessons naming them": _redact(Lesson, ("title", "what_happened"), (), words),
        "actions naming them": _redact(Action, ("description", "done_note"), (), words),
        "supervision sessions naming them": _redact(
            Supervision, ("reflection", "learning"), ("items",), words
        ),
        "meeting agendas naming them": _redact(Meeting, (), ("agenda_snapshot",), words),
        "evidence packs naming them": _redact(EvidencePack, ("html",), (), words),
    }
