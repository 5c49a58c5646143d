"""FHIR answers: resources as application/fhir+json, searchset Bundles with paging
links, and every error as an OperationOutcome (the API's own handlers call
outcome_response for any path under the FHIR base)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

CONTENT_TYPE = "application/fhir+json"
# What _format may say: JSON is all that is served ("+" arrives as a space unescaped).
JSON_FORMATS = {"json", "application/json", "application/fhir+json", "application/fhir json"}
PREFIX = "/api/v1/fhir/"

# An error's status, as the OperationOutcome's issue type.
ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    413: "too-costly",
    429: "throttled",
    500: "exception",
}


def is_fhir(request) -> bool:
    return request.path.startswith(PREFIX)


def resource_response(resource, status: int = 200) -> HttpResponse:
    return HttpResponse(resource.model_dump_json(), content_type=CONTENT_TYPE, status=status)


def outcome(status: int, message: str, errors=None) -> OperationOutcome:
    issues = [
        {
            "severity": "error",
            "code": ISSUE_CODES.get(status, "processing"),
            "diagnostics": message,
        }
    ]
    for e in errors or []:
        issues.append(
            {
                "severity": "error",
                "code": "value" if status in (400, 422) else ISSUE_CODES.get(status, "processing"),
                "diagnostics": e["message"],
                "expression": [e["field"]],
            }
        )
    return OperationOutcome(issue=issues)


def outcome_response(status: int, message: str, errors=None) -> HttpResponse:
    """An error as FHIR says it. A request the API finds invalid (422 elsewhere) is a
    400 here, as FHIR servers answer a search they cannot process."""
    status = 400 if status == 422 else status
    if errors:
        message = "Some of what you sent needs fixing: each issue below names the parameter."
    return resource_response(outcome(status, message, errors), status)


def information(message: str) -> OperationOutcome:
    return OperationOutcome(
        issue=[{"severity": "information", "code": "suppressed", "diagnostics": message}]
    )


def _link(request, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        params[key] = str(value)
    base = request.build_absolute_uri(request.path)
    return f"{base}?{urlencode(sorted(params.items()))}" if params else base


def searchset(request, export, resources, total, offset, count, notes=()) -> Bundle:
    """A page of a search: each resource a match, with its address; what was left out
    for the user's role said once, on the first page, as outcome entries; self, first,
    previous and next links."""
    entries = [
        {"fullUrl": export.url(r), "resource": r, "search": {"mode": "match"}} for r in resources
    ]
    if offset == 0:
        entries += [
            {"resource": information(note), "search": {"mode": "outcome"}} for note in notes
        ]
    links = [
        {"relation": "self", "url": _link(request, _offset=offset, _count=count)},
        {"relation": "first", "url": _link(request, _offset=0, _count=count)},
    ]
    if offset > 0:
        links.append(
            {
                "relation": "previous",
                "url": _link(request, _offset=max(0, offset - count), _count=count),
            }
        )
    if count and offset + count < total:
        links.append(
            {"relation": "next", "url": _link(request, _offset=offset + count, _count=count)}
        )
    return Bundle(
        type="searchset",
        timestamp=timezone.now(),
        total=total,
        link=links,
        entry=entries or None,
    )
