"""Destroying concerns about people past retention (see sharewise/retention). A concern
about them alone loses all its text; a concern that is also about someone else, or
names them as the alleged source, keeps its text with their names taken out. Rows,
dates, categories, severity, service, team and shift stay, so every count stays."""

from django.db.models import Q

from sharewise.audittrail import records
from sharewise.concerns.answers import TEXT_FIELDS
from sharewise.concerns.models import (
    Amendment,
    Concern,
    ConcernPerson,
    ImportJob,
    ImportUpload,
    Review,
)
from sharewise.people.destroying import blank_json, mentioning, redact, redact_json, words_naming

# Every text answer a concern holds: what a recorder typed is what goes.
TEXT = TEXT_FIELDS


def _blank_changes(changes: dict) -> dict:
    """An amendment's changes with the text of each text field emptied (codes and ids,
    such as a category or the alleged source's id, stay)."""
    return {
        field: blank_json(change) if field in TEXT else change
        for field, change in (changes or {}).items()
    }


def destroy(person_ids: list[int]) -> dict[str, int]:
    words = words_naming(person_ids)
    linked = set(
        ConcernPerson.objects.filter(person_id__in=person_ids).values_list("concern_id", flat=True)
    )
    others = set(
        ConcernPerson.objects.filter(concern_id__in=linked)
        .exclude(person_id__in=person_ids)
        .values_list("concern_id", flat=True)
    )
    only_theirs = linked - others
    Concern.objects.filter(pk__in=only_theirs).update(
        **{field: "" for field in TEXT}, external_ref="", prompts_left=[]
    )
    amendments = list(Amendment.objects.filter(concern_id__in=only_theirs))
    for a in amendments:
        a.reason, a.changes = "", _blank_changes(a.changes)
    Amendment.objects.bulk_update(amendments, ["reason", "changes"], batch_size=500)
    # Their names in concerns about others (shared, or naming them as the source).
    shared = list(
        Concern.objects.filter(
            Q(pk__in=others) | Q(source_person_id__in=person_ids) | mentioning(TEXT, words)
        ).exclude(pk__in=only_theirs)
    )
    for c in shared:
        for field in TEXT:
            setattr(c, field, redact(getattr(c, field), words))
    Concern.objects.bulk_update(shared, TEXT, batch_size=500)
    shared_amendments = list(Amendment.objects.filter(concern_id__in=[c.pk for c in shared]))
    for a in shared_amendments:
        a.reason, a.changes = redact(a.reason, words), redact_json(a.changes, words)
    Amendment.objects.bulk_update(shared_amendments, ["reason", "changes"], batch_size=500)
    reviews = Review.objects.filter(concern_id__in=only_theirs).update(rationale="")
    redacted_reviews = list(Review.objects.filter(concern_id__in=[c.pk for c in shared]))
    for r in redacted_reviews:
        r.rationale = redact(r.rationale, words)
    Review.objects.bulk_update(redacted_reviews, ["rationale"], batch_size=500)
    # An import's file and its messages may name them too.
    # Uploads live only until their import ends, so there are few to read.
    named_uploads = [
        u.job_id
        for u in ImportUpload.objects.iterator(chunk_size=20)
        if any(w.lower().encode() in bytes(u.data).lower() for w in words)
    ]
    upload_count = ImportUpload.objects.filter(job_id__in=named_uploads).delete()[0]
    jobs = list(ImportJob.objects.filter(mentioning(("summary", "errors"), words)))
    for job in jobs:
        job.summary, job.errors = redact(job.summary, words), redact_json(job.errors, words)
    ImportJob.objects.bulk_update(jobs, ["summary", "errors"], batch_size=500)
    records.rewritten(Concern, only_theirs | {c.pk for c in shared})
    records.rewritten(Amendment, [a.pk for a in amendments + shared_amendments])
    return {
        "concerns": len(only_theirs),
        "concerns about others with their names taken out": len(shared),
        "concern amendments": len(amendments),
        "concern reviews": reviews,
        "import files": upload_count,
        "import messages": len(jobs),
    }
