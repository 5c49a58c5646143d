"""When a person's records reach the end of their retention period, what this app
holds about them is blanked: who asked and what they wrote, the notes, the stored
export (its JSON and PDF) and the redaction log. The rows and their dates stay, so the
organisation can still show a request was received and answered on time.

The frozen disclosure a response was sent as belongs to the disclosures app, which
destroys it by its own rules."""

from django.db import transaction

from sharewise.people.destroying import GONE as REMOVED
from sharewise.rights.models import Rectification, SubjectAccessRequest


@transaction.atomic
def destroy(person_ids: list[int]) -> dict[str, int]:
    requests = SubjectAccessRequest.objects.filter(person_id__in=person_ids).update(
        requester_name=REMOVED,
        relationship="",
        authority="",
        contact=REMOVED,
        request_text="",
        identity_method="",
        extension_reasons="",
        export_json=None,
        export_pdf=None,
        redactions=[],
        dpo_note="",
        closed_reason="",
    )
    rectifications = Rectification.objects.filter(person_id__in=person_ids).update(
        requester_name=REMOVED, what_is_wrong=REMOVED, outcome_reason=""
    )
    return {"subject access requests": requests, "rectification requests": rectifications}
