"""Defences applied to every request the application answers (static files are served
by WhiteNoise before this runs and keep their long caching)."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from sharewise.audittrail import trail
from sharewise.security.throttle import Throttled

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


class SafetyMiddleware:
    """Refuses a request body over SHAREWISE_MAX_REQUEST_BYTES before anything reads it,
    turns Throttled into 429 with Retry-After, and marks every answer not to be stored
    (pages, PDFs and API answers carry personal data; a shared care-home computer or a
    proxy must not keep them)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._too_large(request) or self.get_response(request)
        add_never_cache_headers(response)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    def _too_large(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.SHAREWISE_MAX_REQUEST_BYTES
        if length <= limit:
            return None
        trail.record_request(
            request,
            "refused a request too large",
            object_type="request",
            detail={"path": request.path, "bytes": length, "limit": limit},
        )
        megabytes = f"{limit / 1_048_576:g} MB"
        message = f"What you sent is bigger than {megabytes}, the most Sharewise accepts."
        if _is_api(request):
            return JsonResponse({"message": message}, status=413)
        return render(request, "security/too_large.html", {"message": message}, status=413)

    def process_exception(self, request, exception):
        if not isinstance(exception, Throttled):
            return None
        if _is_api(request):
            response = JsonResponse({"message": str(exception)}, status=429)
        else:
            response = render(
                request, "security/too_many.html", {"message": str(exception)}, status=429
            )
        response["Retry-After"] = str(exception.wait)
        return response
