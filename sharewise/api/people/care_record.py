"""The care record (medication, diagnoses, care notes) for care planning systems to
send entries to and read them back."""

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status

from sharewise.api.inputs import Day, Input
from sharewise.api.people.filters import FROM_DAY, TO_DAY
from sharewise.people import care_record
from sharewise.people.access import get_person_for
from sharewise.people.models import CareNote

router = Router(tags=["Care record"])

KINDS = ", ".join(CareNote.Kind.values)


class CareEntryIn(Input):
    kind: str = Field(description=f"One of: {KINDS}")
    text: str = Field(max_length=20000, description="What the entry says")
    written_at: datetime = Field(description="When it was written; not in the future")
    written_by: str = Field("", max_length=200, description="Who wrote it, in words")
    source_id: str | None = Field(
        None,
        max_length=100,
        description="The entry's id in your system: sending the same entry again with it "
        "changes nothing (200 instead of 201)",
    )


class CareEntryOut(Schema):
    id: int
    person_id: int
    kind: str
    text: str
    written_at: datetime
    written_by: str
    source_id: str | None


@router.post(
    "/people/{person_id}/care-record",
    response={200: CareEntryOut, 201: CareEntryOut},
    summary="Add an entry to a person's care record (the person's team manager or a "
    "safeguarding lead, usually through their care planning system)",
    description="201 when added; 200 when an entry with this source_id was already "
    "sent with the same content. A different entry under a source_id already used "
    "answers 422: entries are never changed.",
)
def add_care_entry(request, person_id: int, payload: CareEntryIn):
    person = get_person_for(request, person_id, action="opened to add to care record", via="api")
    entry, added = care_record.add_entry(request, person, **payload.dict())
    return Status(201 if added else 200, entry)


@router.get(
    "/people/{person_id}/care-record",
    response=list[CareEntryOut],
    summary="A person's care record, oldest first (those who may see the person)",
    description=f"Filters: kind ({KINDS}); from and to (YYYY-MM-DD, the days written, "
    "the last one included). Every read is written to the audit trail.",
)
def list_care_record(
    request,
    person_id: int,
    kind: str | None = Query(None, description=f"One of: {KINDS}"),
    since: Day | None = FROM_DAY,
    until: Day | None = TO_DAY,
):
    person = get_person_for(request, person_id, action="opened care record", via="api")
    return care_record.entries(
        request, person, kind=kind, since_day=since, until_day=until, via="api"
    )
