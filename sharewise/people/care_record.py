"""The care record: medication, diagnoses and care notes, usually sent by the care
planning system. Entries are added, never edited; sending one again with its
source_id changes nothing, so an integration may safely re-send. Every read and
write is written to the audit trail."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.days import on_days
from sharewise.people.models import CareNote, Person

# Clocks of the sending system may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)


def _problems(kind: str, text: str, written_at) -> dict[str, str]:
    problems = {}
    if kind not in CareNote.Kind.values:
        problems["kind"] = "Choose one of: " + ", ".join(CareNote.Kind.values)
    if not (text or "").strip():
        problems["text"] = "Enter what the entry says"
    if written_at is not None and written_at > timezone.now() + CLOCK_SKEW:
        problems["written_at"] = "The time it was written cannot be in the future"
    return problems


def _same(note: CareNote, kind, text, written_at, written_by) -> bool:
    return (note.kind, note.text, note.written_at, note.written_by) == (
        kind,
        text,
        written_at,
        written_by,
    )


def add_entry(
    request,
    person: Person,
    *,
    kind: str,
    text: str,
    written_at=None,
    written_by: str = "",
    source_id: str | None = None,
) -> tuple[CareNote, bool]:
    """Add an entry to the care record of a person the caller may see (fetched through
    access.get_person_for). Returns (entry, whether it is new): an entry sent again
    with the same source_id is the one already kept. Raises PermissionDenied for a
    role that may not write it, ValidationError by field for bad input."""
    if not request.user.has_perm("people.add_care_note", person):
        raise PermissionDenied(
            "Care record entries are added by the person's team manager or a safeguarding "
            "lead (or their care planning system, with their API token)."
        )
    text = (text or "").strip()
    written_at = written_at or timezone.now()
    written_by = (written_by or "").strip()
    if problems := _problems(kind, text, written_at):
        raise ValidationError(problems)
    if source_id and (kept := CareNote.objects.filter(person=person, source_id=source_id).first()):
        return _resent(kept, kind, text, written_at, written_by)
    try:
        with transaction.atomic():
            note = CareNote.objects.create(
                person=person,
                kind=kind,
                text=text,
                written_at=written_at,
                written_by=written_by,
                source_id=source_id or None,
            )
            trail.record_request(
                request,
                "added care record entry",
                object_type="care record entry",
                object_id=note.pk,
                person_id=person.pk,
                organisation_id=person.organisation_id,
                detail={"kind": kind, "source_id": source_id},
            )
    except IntegrityError:  # the same entry sent twice at once: the other one won
        kept = CareNote.objects.get(person=person, source_id=source_id)
        return _resent(kept, kind, text, written_at, written_by)
    return note, True


def _resent(kept: CareNote, kind, text, written_at, written_by) -> tuple[CareNote, bool]:
    if not _same(kept, kind, text, written_at, written_by):
        raise ValidationError(
            {
                "source_id": "An entry with this source_id is already in the care record "
                "with different content: entries are never changed, send a new one"
            }
        )
    return kept, False


def entries(request, person: Person, *, kind=None, since_day=None, until_day=None, via="page"):
    """The person's care record entries (their merged records' too), oldest first, by
    kind and by the days written (the last one included); the read is trailed."""
    if kind is not None and kind not in CareNote.Kind.values:
        raise ValidationError({"kind": "Choose one of: " + ", ".join(CareNote.Kind.values)})
    found = CareNote.objects.filter(person_id__in=person.record_ids())
    if kind:
        found = found.filter(kind=kind)
    found = on_days(found, "written_at", since_day, until_day)
    found = list(found)
    trail.record_request(
        request,
        "read care record",
        object_type="person",
        object_id=person.pk,
        person_id=person.pk,
        organisation_id=person.organisation_id,
        detail={
            "via": via,
            "kind": kind,
            "from": str(since_day or ""),
            "to": str(until_day or ""),
            "shown": [n.pk for n in found],
        },
    )
    return found
