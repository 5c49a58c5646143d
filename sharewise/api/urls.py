"""The HTTP API: thin routers over the same access rules and changes as the pages."""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from sharewise.api import audittrail as audittrail_routes
from sharewise.api import concerns as concern_routes
from sharewise.api import disclosures as disclosure_routes
from sharewise.api import fhir
from sharewise.api import governance as governance_routes
from sharewise.api import organisations as organisation_routes
from sharewise.api import patterns as pattern_routes
from sharewise.api import people as people_routes
from sharewise.api import policy as policy_routes
from sharewise.api import retention as retention_routes
from sharewise.api import rights as rights_routes
from sharewise.api import sharing as sharing_routes
from sharewise.api import training as training_routes
from sharewise.audittrail import trail
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import ApiToken, ExpiredToken
from sharewise.security import errors, throttle


class TokenExpired(AuthenticationError):
    def __init__(self, message):
        super().__init__()
        self.message = message


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        try:
            found = ApiToken.token_for(token)
        except ExpiredToken as expired:
            trail.record(
                actor=expired.token.user,
                action="refused expired API token",
                object_type="api token",
                object_id=expired.token.pk,
                organisation_id=scope_for(expired.token.user).organisation_id,
                address=trail.client_address(request),
                detail={"token": expired.token.hint, "path": request.path},
            )
            raise TokenExpired(f"{expired}: create a new one under Account › API tokens.") from None
        if found is None:
            return None
        request.user = found.user
        request.api_token = found  # its confirmed_at decides the most serious actions
        # Every entry this request writes names the token it came with.
        trail.note_via(token=found.hint)
        throttle.check_api_token(request, token)
        return found.user


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "message": {"type": "string", "title": "Message"},
        "errors": {
            "type": "array",
            "title": "Errors",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "title": "Field"},
                    "message": {"type": "string", "title": "Message"},
                },
                "required": ["field", "message"],
            },
        },
    },
    "required": ["message"],
}

# Answers any operation may give, by the handlers below: documented once for all.
ERRORS = {
    401: "Not signed in, or no valid API token",
    403: "Your role does not allow this",
    404: "Not found, or not yours to see",
    422: "Some of what you sent needs fixing: errors names each field",
}


_ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def with_errors(operation: dict) -> dict:
    """An operation's documented answers, with the errors every operation may give."""
    responses = operation.setdefault("responses", {})
    for status, words in ERRORS.items():
        responses.setdefault(status, {"description": words, "content": _ERROR_BODY})
    if "requestBody" in operation:
        responses.setdefault(400, {"description": "The body is not JSON", "content": _ERROR_BODY})
    return operation


class SharewiseAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for operations in schema["paths"].values():
            for operation in operations.values():
                with_errors(operation)
        return schema


api = SharewiseAPI(
    title="Sharewise API",
    version="1",
    description=(
        "Every endpoint applies the same need-to-know rules as the pages, and every read "
        "of a person's record is written to the audit trail. Authenticate with "
        "`Authorization: Bearer <token>` (create one under Account › API tokens, or "
        "`manage.py create_api_token USERNAME`)."
    ),
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)


def _error(request, status, message, errors=None):
    if fhir.is_fhir(request):
        return fhir.outcome_response(status, message, errors)
    body = {"message": message}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(
        request, 401, "Sign in, or send a valid API token as 'Authorization: Bearer <token>'."
    )


@api.exception_handler(TokenExpired)
def token_expired(request, exc):
    return _error(request, 401, exc.message)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _error(request, 403, str(exc) or "Your role does not allow this.")


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "Not found, or not yours to see.")


def _location(loc):
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "request"


@api.exception_handler(NinjaValidationError)
def invalid(request, exc):
    errors = [
        {
            "field": _location(e.get("loc", [])),
            # A validator's own words, without pydantic's "Value error, " before them.
            "message": e.get("msg", "Invalid").removeprefix("Value error, "),
        }
        for e in exc.errors
    ]
    return _error(request, 422, "Some of what you sent needs fixing: see errors.", errors)


@api.exception_handler(DjangoValidationError)
def invalid_record(request, exc):
    errors = []
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            name = "request" if field == "__all__" else field
            errors += [{"field": name, "message": m} for m in messages]
    else:
        errors = [{"field": "request", "message": m} for m in exc.messages]
    return _error(request, 422, "Some of what you sent needs fixing: see errors.", errors)


@api.exception_handler(HttpError)
def http_error(request, exc):
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(throttle.Throttled)
def too_many(request, exc):
    response = _error(request, 429, str(exc))
    response["Retry-After"] = str(exc.wait)
    return response


@api.exception_handler(SuspiciousOperation)
def suspicious(request, exc):
    """Refused as Django refuses them on pages (logged under django.security), not
    counted as server errors: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is one."""
    logging.getLogger(f"django.security.{exc.__class__.__name__}").error(str(exc))
    if isinstance(exc, RequestDataTooBig):
        return _error(request, 413, "What you sent is too big: send at most 2.5 MB of data.")
    return _error(request, 400, "This request cannot be answered.")


@api.exception_handler(Exception)
def server_error(request, exc):
    """A JSON 500 without the traceback (django-ninja shows it in DEBUG), logged and
    counted as Django's own 500s are."""
    response = _error(request, 500, "Something went wrong on our side. It has been logged.")
    errors.log_server_error(request, exc, response)
    return response


api.add_router("", organisation_routes.router)
api.add_router("", people_routes.router)
api.add_router("", concern_routes.router)
api.add_router("", audittrail_routes.router)
api.add_router("", pattern_routes.router)
api.add_router("", policy_routes.router)
api.add_router("", sharing_routes.router)
api.add_router("", disclosure_routes.router)
api.add_router("", training_routes.router)
api.add_router("", governance_routes.router)
api.add_router("", fhir.router)
api.add_router("", retention_routes.router)
api.add_router("", rights_routes.router)
