"""The HTTP API: thin routers over the same access rules and changes as the pages."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from sharewise.api import audittrail as audittrail_routes
from sharewise.api import concerns as concern_routes
from sharewise.api import disclosures as disclosure_routes
from sharewise.api import governance as governance_routes
from sharewise.api import organisations as organisation_routes
from sharewise.api import patterns as pattern_routes
from sharewise.api import people as people_routes
from sharewise.api import sharing as sharing_routes
from sharewise.organisations.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        found = ApiToken.token_for(token)
        if found is None:
            return None
        request.user = found.user
        request.api_token = found  # its confirmed_at decides the most serious actions
        return found.user


api = NinjaAPI(
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
    body = {"message": message}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(
        request, 401, "Sign in, or send a valid API token as 'Authorization: Bearer <token>'."
    )


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
        {"field": _location(e.get("loc", [])), "message": e.get("msg", "Invalid")}
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


api.add_router("", organisation_routes.router)
api.add_router("", people_routes.router)
api.add_router("", concern_routes.router)
api.add_router("", audittrail_routes.router)
api.add_router("", pattern_routes.router)
api.add_router("", sharing_routes.router)
api.add_router("", disclosure_routes.router)
api.add_router("", governance_routes.router)
