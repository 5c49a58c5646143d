"""The read-only FHIR R4 endpoints at /api/v1/fhir/: thin, over sharewise.api.fhir.records
(what the user may see, the reads written to the trail) and mapping (the resources).
Out of scope answers 404, exactly as for an id that does not exist."""

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from ninja import Query, Router
from ninja.errors import HttpError

from sharewise.api.fhir import codes, mapping, records
from sharewise.api.fhir.responses import (
    CONTENT_TYPE,
    JSON_FORMATS,
    resource_response,
    searchset,
)

router = Router(tags=["FHIR R4 export"])

DEFAULT_COUNT = 100
MAX_COUNT = 500
EVERYTHING = ("Consent", "Flag", "DocumentReference", "AuditEvent")

_FHIR_BODY = {CONTENT_TYPE: {"schema": {"type": "object"}}}
_ERROR_WORDS = {
    400: "A search without patient, or a parameter that is not valid (OperationOutcome)",
    401: "Not signed in, or no valid API token (OperationOutcome)",
    403: "Your role does not allow this (OperationOutcome)",
    404: "Not found, or not yours to see (OperationOutcome)",
    406: "Only JSON is served: _format json (OperationOutcome)",
}


def documented(what: str) -> dict:
    """The answers a FHIR operation gives, all as application/fhir+json."""
    responses = {200: {"description": what, "content": _FHIR_BODY}}
    for status, words in _ERROR_WORDS.items():
        responses[status] = {"description": words, "content": _FHIR_BODY}
    return {"responses": responses}


FORMAT = Query(None, alias="_format", description="json (the only format served)")
COUNT = Query(
    DEFAULT_COUNT,
    alias="_count",
    ge=0,
    le=MAX_COUNT,
    description="Entries to a page (0: total only)",
)
OFFSET = Query(0, alias="_offset", ge=0, le=1_000_000_000, description="Entries to skip")
PATIENT = Query(
    None, max_length=72, description="The person: their Patient id, or Patient/<id> (required)"
)


def _check_format(fmt: str | None) -> None:
    if fmt is not None and fmt.strip().lower() not in JSON_FORMATS:
        raise HttpError(406, "Only JSON is served: send _format=json or leave _format out.")


def _base(request) -> str:
    return request.build_absolute_uri(reverse("api:fhir_metadata")).removesuffix("/metadata")


def _one(request, person, resource_of) -> HttpResponse:
    export = records.export_for(person, _base(request))
    return resource_response(resource_of(export))


def _search(request, patient, kinds, action, count, offset, fmt) -> HttpResponse:
    _check_format(fmt)
    if not patient:
        raise HttpError(400, "Search by patient: add ?patient=<Patient id>.")
    person = records.person_for(request, patient, action)
    export = records.export_for(person, _base(request))
    sections = records.sections_for(request, person, export, kinds)
    found, total = records.page(sections, offset, count)
    bundle = searchset(
        request, export, found, total, offset, count, records.unseen(request.user, kinds)
    )
    return resource_response(bundle)


@router.get(
    "/fhir/metadata",
    auth=None,
    url_name="fhir_metadata",
    summary="What the FHIR export supports (CapabilityStatement)",
    description="Open to anyone: it says what may be asked, nothing about anyone.",
    openapi_extra=documented("The CapabilityStatement"),
)
def metadata(request, fmt: str | None = FORMAT):
    _check_format(fmt)
    return resource_response(capability_statement(_base(request)))


@router.get(
    "/fhir/Patient/{person_id}",
    summary="A person, minimally: NHS number, local id, name, date of birth (FHIR Patient)",
    openapi_extra=documented("The Patient"),
)
def read_patient(request, person_id: str, fmt: str | None = FORMAT):
    _check_format(fmt)
    person = records.person_for(request, person_id, "viewed record (FHIR Patient)")
    return _one(request, person, mapping.patient)


@router.get(
    "/fhir/Patient/{person_id}/$everything",
    summary="Everything about a person you may see, as one searchset Bundle",
    description="The Patient, then Consents (consent records, then sharing decisions), "
    "Flags (alerts waiting), DocumentReferences (disclosures) and AuditEvents (the "
    "trail about them, reads included), paged by _count with a next link.",
    openapi_extra=documented("A searchset Bundle"),
)
def everything(
    request,
    person_id: str,
    count: int = COUNT,
    offset: int = OFFSET,
    fmt: str | None = FORMAT,
):
    _check_format(fmt)
    person = records.person_for(request, person_id, "exported record (FHIR $everything)")
    export = records.export_for(person, _base(request))
    sections = [
        records.patient_section(person, export),
        *records.sections_for(request, person, export, EVERYTHING),
    ]
    found, total = records.page(sections, offset, count)
    notes = records.unseen(request.user, EVERYTHING)
    return resource_response(searchset(request, export, found, total, offset, count, notes))


def _searcher(kind: str, words: str):
    action = f"listed {words} (FHIR)"

    def search(
        request,
        patient: str | None = PATIENT,
        count: int = COUNT,
        offset: int = OFFSET,
        fmt: str | None = FORMAT,
    ):
        return _search(request, patient, (kind,), action, count, offset, fmt)

    search.__name__ = f"search_{kind.lower()}"
    return search


SEARCH_WORDS = {
    "Consent": ("consents", "Consent records and sharing decisions about a person"),
    "Flag": ("flags", "Alerts waiting for a decision that a person is in"),
    "DocumentReference": ("document references", "Disclosures about a person (frozen PDFs)"),
    "AuditEvent": ("audit events", "The audit trail about a person, reads included"),
}

for _kind, (_words, _summary) in SEARCH_WORDS.items():
    router.get(
        f"/fhir/{_kind}",
        summary=f"{_summary} (searchset Bundle; patient required)",
        openapi_extra=documented("A searchset Bundle"),
    )(_searcher(_kind, _words))


@router.get(
    "/fhir/Consent/{fhir_consent_id}",
    summary="A consent record (consent-N) or a sharing decision (decision-N)",
    openapi_extra=documented("The Consent"),
)
def read_consent(request, fhir_consent_id: str, fmt: str | None = FORMAT):
    _check_format(fmt)
    person, record, is_decision = records.consent_by_id(request, fhir_consent_id)
    build = mapping.consent_from_decision if is_decision else mapping.consent_from_record
    return _one(request, person, lambda export: build(record, export))


@router.get(
    "/fhir/Flag/{flag_id}",
    summary="An alert as it shows on one person's record (alert-person)",
    openapi_extra=documented("The Flag"),
)
def read_flag(request, flag_id: str, fmt: str | None = FORMAT):
    _check_format(fmt)
    person, alert = records.flag_by_id(request, flag_id)
    return _one(request, person, lambda export: mapping.flag(alert, export))


@router.get(
    "/fhir/DocumentReference/{document_id}",
    summary="A disclosure: its frozen PDF's address, size and hashes",
    openapi_extra=documented("The DocumentReference"),
)
def read_document_reference(request, document_id: str, fmt: str | None = FORMAT):
    _check_format(fmt)
    person, disclosure = records.disclosure_by_id(request, document_id)
    return _one(
        request,
        person,
        lambda export: mapping.document_reference(
            disclosure, export, records.pdf_url(request, disclosure.pk)
        ),
    )


@router.get(
    "/fhir/AuditEvent/{event_id}",
    summary="One entry of the audit trail about a person",
    openapi_extra=documented("The AuditEvent"),
)
def read_audit_event(request, event_id: str, fmt: str | None = FORMAT):
    _check_format(fmt)
    person, entry = records.entry_by_id(request, event_id)
    return _one(request, person, lambda export: records.audit_events([entry], export)[0])


# What is supported ---------------------------------------------------------------------


def _searchable(kind: str, documentation: str) -> dict:
    return {
        "type": kind,
        "documentation": documentation,
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "searchParam": [
            {
                "name": "patient",
                "type": "reference",
                "documentation": "Required: the Patient id (or Patient/<id>)",
            },
            {"name": "_count", "type": "number", "documentation": f"At most {MAX_COUNT}"},
            {"name": "_offset", "type": "number", "documentation": "Entries to skip"},
        ],
    }


def capability_statement(base: str) -> CapabilityStatement:
    return CapabilityStatement(
        status="active",
        date=timezone.now(),
        publisher="Sharewise",
        kind="instance",
        software={"name": "Sharewise"},
        implementation={
            "description": "Sharewise FHIR export: read-only, scoped to what the caller "
            "may see; every read written to the audit trail",
            "url": base,
        },
        fhirVersion=codes.FHIR_VERSION,
        format=["json"],
        rest=[
            {
                "mode": "server",
                "documentation": "Send Authorization: Bearer <token> (Account > API "
                "tokens). Anything outside the caller's scope answers 404. Errors are "
                "OperationOutcomes.",
                "security": {
                    "description": "Bearer tokens per member of staff, or a signed-in "
                    "session; the same need-to-know rules as every other endpoint."
                },
                "resource": [
                    {
                        "type": "Patient",
                        "documentation": "Minimal: NHS number, local id, name, date of birth",
                        "interaction": [{"code": "read"}],
                        "operation": [
                            {
                                "name": "everything",
                                "definition": "http://hl7.org/fhir/OperationDefinition/"
                                "Patient-everything",
                            }
                        ],
                    },
                    _searchable(
                        "Consent",
                        "Consent records (consent-N) and sharing decisions (decision-N), "
                        "with provision, recipient and lawful basis",
                    ),
                    _searchable("Flag", "Alerts waiting for a decision"),
                    _searchable("DocumentReference", "Disclosures, with their frozen PDF"),
                    _searchable("AuditEvent", "The audit trail about the person"),
                ],
            }
        ],
    )
