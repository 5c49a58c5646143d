"""Retention's own records about people destroyed: the reasons for their lifted legal
holds, and their names in any officer's approval note."""

from sharewise.people.destroying import mentioning, redact, words_naming
from sharewise.retention.models import Destruction, LegalHold


def destroy(person_ids: list[int]) -> dict[str, int]:
    words = words_naming(person_ids)
    notes = list(Destruction.objects.filter(mentioning(("approval_note",), words)))
    for d in notes:
        d.approval_note = redact(d.approval_note, words)
    Destruction.objects.bulk_update(notes, ["approval_note"])
    return {
        "legal hold reasons": LegalHold.objects.filter(person_id__in=person_ids).update(
            reason="", lift_reason=""
        ),
    }
