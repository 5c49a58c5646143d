"""No internal codes on any page: every page route of the permission matrix is opened by
each member of the cast who may see it, and the words on it (the text people read, not
attributes, scripts or styles) must not hold a code such as `self_neglect`,
`override.coercion` or `service:2:physical`: people see titles, never the names the
code uses."""

import re
from html.parser import HTMLParser

import pytest

from conftest import record_concern, signed_in
from tests.test_permission_matrix import build_world, page_path, page_routes, pages_seen

# snake_case (two or more lowercase words joined by underscores), dotted codes
# (override.coercion) and colon codes (service:2:physical, person:12, other::).
CODE = re.compile(
    r"(?<![\w@/.:-])(?:"
    r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+"
    r"|[a-z][a-z_]+(?:\.[a-z][a-z_]*)+"
    r"|[a-z][a-z_]*:(?:[a-z0-9_]*:)*[a-z0-9_]+"
    r"|[a-z][a-z_]*::"
    r")(?![\w@/-])"
)
# Dotted words that are prose or addresses, not codes: abbreviations, web and email
# domains, file names.
NOT_CODES = re.compile(
    r"^(?:e\.g|i\.e|etc|a\.m|p\.m)$"
    r"|\.(?:uk|org|com|net|gov|nhs|io|example|test|local|csv|pdf|html|yaml|yml|json|txt|png|svg)$"
)
# Where machine text belongs and is marked as such (a CSV column a lead types, a hash),
# or is what someone typed into a form.
SKIPPED = {"script", "style", "code", "textarea", "template"}


class _Words(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words = []
        self.skipping = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.skipping.append(tag)

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.words.append(data)


def codes_in(html):
    """Internal codes in the text of an HTML page."""
    parser = _Words()
    parser.feed(html)
    text = " ".join(parser.words)
    return sorted(
        {m.group() for m in CODE.finditer(text) if not NOT_CODES.search(m.group().rstrip("."))}
    )


@pytest.mark.parametrize(
    "html, found",
    [
        ("<p>Self-neglect, at 14:05 on 7 December 2026.</p>", []),
        ("<p>See https://www.nhs.uk/conditions or write to lead@oakleigh.example.</p>", []),
        ("<p>Import of log.csv, e.g. from the old system. Note: keep it.</p>", []),
        ("<p>Their username, for example j.okafor</p>", []),
        ('<p title="self_neglect">Self-neglect</p><script>let a = "b_c";</script>', []),
        ("<p>Column <code>information_source</code></p>", []),
        ("<td>self_neglect</td>", ["self_neglect"]),
        ("<li>Ground: override.coercion</li>", ["override.coercion"]),
        ("<p>About service:2:physical</p>", ["service:2:physical"]),
        ("<p>person:12 and other::</p>", ["other::", "person:12"]),
        ("<p>Risk score (risk_score)</p>", ["risk_score"]),
    ],
)
def test_the_code_pattern_finds_codes_and_leaves_prose(html, found):
    assert codes_in(html) == found


@pytest.mark.slow
def test_no_page_shows_an_internal_code(cast):
    users, tokens, grant = build_world(cast)
    routes = page_routes()
    clients = {}
    found = []
    visited = 0
    for name, role in pages_seen(every_role=True, routes=routes):
        user = users.get(role)
        if role not in clients:
            clients[role] = signed_in(user) if user else __import__("django.test").test.Client()
        path = page_path(cast, name, user, grant, tokens, routes)
        response = clients[role].get(path)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith(
            "text/html"
        ):
            continue
        visited += 1
        codes = codes_in(response.content.decode())
        if codes:
            found.append(f"{name} ({path}) as {role}: {', '.join(codes)}")
    assert visited > 80, f"only {visited} pages were opened"
    assert not found, "internal codes on pages people read:\n" + "\n".join(found)


def test_no_step_of_the_sharing_decision_wizard_shows_an_internal_code(cast):
    """The matrix opens only the wizard's first step: walk every step and the
    recommendation of a decision about a refusal, where the framework cites its rules."""
    from sharewise.sharing.forms import STEP_NAMES
    from sharewise.sharing.models import Draft

    for days in (30, 20, 10):
        record_concern(cast, days_ago=days, sharing_view="refuses")
    client = signed_in(cast.sarah)
    client.post(f"/people/{cast.alice.pk}/sharing-decisions/new/")
    draft = Draft.objects.get()
    found = []
    for step in STEP_NAMES:
        response = client.get(f"/sharing/drafts/{draft.pk}/{step}/")
        assert response.status_code == 200, step
        codes = codes_in(response.content.decode())
        if codes:
            found.append(f"{step}: {', '.join(codes)}")
    assert not found, "internal codes in the wizard:\n" + "\n".join(found)
