"""Every GET page and API answer a member of staff can reach, by walking the URL
patterns with the ids of whatever is in the database, so a test can say "this person
sees exactly the same everywhere" without listing pages that will change."""

import difflib
import re
from itertools import product

from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import signed_in

# Signing out ends the session the walk runs in; the docs page is a static shell and
# the schema it reads is made from the code alone; the health check counts seconds and
# errors and names nobody; the second factor set-up pages make a new random key or
# codes each time and show no records.
SKIPPED = {
    "logout",
    "openapi-view",
    "openapi-json",
    "healthz",
    "add_authenticator_app",
    "recovery_codes",
}
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
TOKEN = re.compile(
    r'(name="csrfmiddlewaretoken" value=")[^"]+(")|(csrf-token" content=")[^"]+(")'
    r'|("csrfToken": ")[^"]+(")'
    # The concern form's key for the concern being written: new on each opening.
    r'|(name="submission" value=")[^"]+(")'
)

# Which records each URL parameter names; anything else gets one id nothing has.
MODELS = {
    "person_id": "people.Person",
    "concern_id": "concerns.Concern",
    "alert_id": "patterns.Alert",
    "service_id": "organisations.Service",
    "team_id": "organisations.Team",
    "user_id": "auth.User",
    "membership_id": "organisations.Membership",
    "job_id": "concerns.ImportJob",
}
WORDS = {
    "kind": ["patterns", "recording", "sharing"],
    "document": ["patterns", "recording"],
    "step": ["consent"],
    "form": ["pdf", "html"],
}


def routes():
    """(route, name) of every URL pattern, API included."""

    def walk(resolver, prefix):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from walk(p, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.name

    seen = set()
    for route, name in walk(get_resolver(), ""):
        if name not in SKIPPED and route not in seen:
            seen.add(route)
            yield route, name


def ids_in_database(categories=(), people=None) -> dict[str, list]:
    """people: the ids of people to walk the pages of (default: everyone)."""
    values = {"category": sorted({"neglect", *categories})} | WORDS
    for parameter, label in MODELS.items():
        model = get_user_model() if label == "auth.User" else apps.get_model(label)
        values[parameter] = sorted(model.objects.values_list("pk", flat=True))
    if people is not None:
        values["person_id"] = sorted(people)
    # Merging is a page per pair of people: each person once with one other is enough.
    values["other_id"] = values["person_id"][:1]
    # A role is a page of its member's: each role once, under its own member (not
    # every role under every member of staff, which was a fifth of the walk).
    values[MEMBER_OF] = dict(
        apps.get_model("organisations.Membership").objects.values_list("pk", "user_id")
    )
    return values


MEMBER_OF = "membership_id's user_id"


def urls(values: dict[str, list]) -> list[str]:
    found = []
    for route, _ in routes():
        names = PARAMETER.findall(route)
        choices = [values.get(n) or [987654] for n in names]
        for chosen in product(*choices):
            if not _paired(values, dict(zip(names, chosen, strict=True))):
                continue
            url = route
            for value in chosen:
                url = PARAMETER.sub(str(value), url, count=1)
            found.append("/" + url)
    return found


def _paired(values, chosen) -> bool:
    if "membership_id" not in chosen or "user_id" not in chosen:
        return True
    member = values[MEMBER_OF].get(chosen["membership_id"], chosen["user_id"])
    return member == chosen["user_id"]


def normalise(text: str) -> str:
    return TOKEN.sub(r"\1-\2\3-\4\5-\6\7-\8", text)


def answers(user, api_secret: str, paths) -> dict[str, tuple[int, str]]:
    """(status, body) of a GET of each path as this user: pages signed in, the API
    with their token."""
    client = signed_in(user)
    seen = {}
    for path in paths:
        if path.startswith("/api/"):
            response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {api_secret}")
        else:
            response = client.get(path)
        kind = response.get("Content-Type", "")
        body = b"".join(response) if response.streaming else response.content
        text = body.decode() if "text" in kind or "json" in kind else f"<{len(body)} bytes>"
        seen[path] = (response.status_code, normalise(text))
    return seen


def difference(paths, one: dict, other: dict) -> str:
    """What differs on the first of these paths, as a short diff."""
    path = paths[0]
    (a_status, a), (b_status, b) = one[path], other[path]
    lines = difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=1)
    return f"{len(paths)} differ: {paths[:5]}; {path}: {a_status} / {b_status}\n" + "\n".join(
        list(lines)[:40]
    )
