"""What every write in sharing shares: the trail entry carrying the record's digest,
the concerns a record may name, and counting the words of a reason."""

from sharewise.audittrail import records, trail
from sharewise.concerns.models import ConcernPerson


def words(text) -> int:
    return len((text or "").split())


def persons_concerns(person, concern_ids, errors, field="concern_ids") -> list[int]:
    """The concern ids, sorted; those not about this person are named in errors."""
    ids = sorted({int(i) for i in concern_ids or ()})
    if not ids:
        return []
    found = set(
        ConcernPerson.objects.filter(
            person_id__in=person.record_ids(), concern_id__in=ids
        ).values_list("concern_id", flat=True)
    )
    if missing := [i for i in ids if i not in found]:
        errors[field] = [
            "These are not concerns about this person: " + ", ".join(map(str, missing))
        ]
    return ids


def write_trail(request, action, obj, person, via, **detail):
    """The trail entry for a write, carrying the record's digest as it now stands (with
    its amendments), so verify_trail --records notices a later change made elsewhere."""
    trail.record_request(
        request,
        action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        person_id=person.pk,
        organisation_id=person.organisation_id,
        detail={"via": via, **detail, **digests(obj)},
    )


def digests(obj) -> dict:
    found = records.digests_now(obj)
    return {records.DETAIL_KEY: found} if found else {}
