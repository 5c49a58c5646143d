"""Every page route of the permission matrix passes axe with nothing serious or
critical, on a desktop (1280x900) and on a phone (390x844), opened by someone who may
see it. The list comes from the matrix, so a new route is checked as soon as it has its
row; test_accessibility.py checks pages in their other states (errors, results).

One browser; one signed-in context per member of the cast, reused for all their pages.
Desktop and phone are separate tests so two test workers share them."""

import time

import pytest
from playwright.sync_api import expect

from tests.test_permission_matrix import build_world, page_path, page_routes, pages_seen

from .conftest import DESKTOP, PHONE, assert_accessible, watched

pytestmark = pytest.mark.browser

# Who opens each page: the first of these who may. The lead sees the most on most pages.
PREFER = ("sarah", "helen", "nia", "david", "grace", "owen", "olivia", "tom", "anonymous")
SIZES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.mark.parametrize("size", SIZES)
def test_every_page_in_the_matrix_is_accessible(
    size, browser, live_server, transactional_cast, sign_in, capsys
):
    started = time.monotonic()
    cast = transactional_cast
    users, tokens, grant = build_world(cast)
    routes = page_routes()
    pages = {}
    failures = []
    checked = 0
    timings = []
    try:
        for name, role in pages_seen(prefer=PREFER, routes=routes):
            user = users.get(role)
            if role not in pages:
                context = browser.new_context(viewport=SIZES[size], locale="en-GB")
                context.set_default_timeout(10_000)
                pages[role] = watched(context.new_page())
                if user:
                    sign_in(pages[role], live_server, user)
            page = pages[role]
            began = time.monotonic()
            path = page_path(cast, name, user, grant, tokens, routes)
            url = f"{live_server.url}{path}"
            # Downloads (PDF, CSV) are not pages.
            head = page.context.request.get(url, max_redirects=0)
            if (
                head.status != 200
                or not head.headers.get("content-type", "").startswith("text/html")
                or "attachment" in head.headers.get("content-disposition", "")
            ):
                if head.status != 200:
                    failures.append(f"{name} ({path}) as {role}: answered {head.status}")
                continue
            page.problems.clear()
            page.goto(url)
            try:
                expect(page).to_have_url(url)
                assert_accessible(page)
            except AssertionError as error:
                failures.append(f"{name} ({path}) as {role}, {size}:\n{error}")
            checked += 1
            timings.append((time.monotonic() - began, name))
    finally:
        for page in pages.values():
            page.context.close()
    seconds = time.monotonic() - started
    with capsys.disabled():
        print(f"\naxe checked {checked} {size} pages of {len(routes)} routes in {seconds:.0f}s")
        print("slowest:", sorted(timings, reverse=True)[:5])
    assert checked > 75, f"only {checked} pages were checked"
    assert not failures, f"{len(failures)} page views fail:\n\n" + "\n\n".join(failures)
