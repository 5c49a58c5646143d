"""Requests refused before any view sees them."""

from django.http import JsonResponse
from django.shortcuts import render

NUL = "\x00"


def _fields_with_nul(request) -> list[str]:
    found = []
    for source in (request.GET, request.POST):
        for key, values in source.lists():
            if NUL in key or any(NUL in v for v in values if isinstance(v, str)):
                found.append(key.replace(NUL, "\\x00"))
    return found


class RefuseNulCharacters:
    """A NUL character (\\x00) cannot be stored in PostgreSQL, and no one types one:
    a query parameter or form field holding it is refused here, named, in one place,
    rather than failing deep in a query as a server error. (API bodies sent as JSON
    are checked by their schema, sharewise.api.inputs.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fields = _fields_with_nul(request)
        if not fields:
            return self.get_response(request)
        message = "Remove the NUL character (\\x00): it cannot be stored"
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "message": "Some of what you sent needs fixing: see errors.",
                    "errors": [{"field": f, "message": message} for f in fields],
                },
                status=422,
            )
        return render(request, "400_nul.html", {"fields": fields}, status=400)
