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


class ErrorInTitle:
    """A page showing the error summary says "Error: " first in its title, so a
    screen reader user hears something went wrong before anything else (the NHS.UK
    error pattern). Done here once rather than in every template's title, so a page
    with several forms, or a form under another name, cannot forget it."""

    SUMMARY = b'class="nhsuk-error-summary"'
    TITLE = b"<title>"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or self.SUMMARY not in response.content
        ):
            return response
        content = response.content
        start = content.find(self.TITLE)
        if start == -1:
            return response
        start += len(self.TITLE)
        if not content[start:].lstrip().startswith(b"Error:"):
            response.content = content[:start] + b"Error: " + content[start:].lstrip()
        return response
