"""Playwright fixtures for journeys through Sharewise in Debian's Chromium.

One browser for the whole session (starting Chromium is the slow part); a fresh
context, so fresh cookies, for every test. Sign in through the real sign-in form so
the journeys cover it too. Nothing is downloaded: Playwright's own browsers are not
used, and the Content-Security-Policy stays on so an inline style or script shows up
as a failure here.
"""

import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENS = Path(__file__).resolve().parents[2] / "test-results" / "screens"
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(items):
    """Everything in this folder drives a browser."""
    folder = Path(__file__).parent
    for item in items:
        if folder in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A new page in its own context (own cookies). Console errors, such as the
    Content-Security-Policy refusing an inline style, are kept on page.problems."""
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(5_000)
    new_page = watched(context.new_page())
    yield new_page
    context.close()


def watched(new_page):
    """Keep console errors, failed loads and script errors on new_page.problems."""
    new_page.problems = []

    def console(message):
        # A 404 page's own status shows up as "Failed to load resource"; missing
        # stylesheets and scripts are caught by the response listener instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            new_page.problems.append(message.text)

    def response(answer):
        if answer.status >= 400 and answer.request.resource_type != "document":
            new_page.problems.append(f"{answer.status} for {answer.url}")

    new_page.on("console", console)
    new_page.on("response", response)
    new_page.on("pageerror", lambda error: new_page.problems.append(str(error)))
    return new_page


@pytest.fixture
def sign_in(transactional_cast, settings):
    """sign_in(page, live_server, cast.nia): sign in through the sign-in form as
    someone from the cast, landing wherever Sharewise sends them.

    Argon2 takes a third of a second per sign-in by design; here the cast's password
    is stored with a fast hasher instead so the suite stays quick."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_user_model().objects.update(password=make_password(transactional_cast.password))

    def sign_in_as(page, live_server, user, password=None, second_factor=True):
        """second_factor: enter the code of their authenticator app (added first if
        their role needs one and they have none) when asked; False stops there."""
        from conftest import authenticator_app, authenticator_code
        from sharewise.organisations import second_factor as factors

        if second_factor and factors.required(user):
            authenticator_app(user)
        page.goto(f"{live_server.url}/sign-in/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password or transactional_cast.password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_load_state()
        if second_factor and "/sign-in/second-factor/" in page.url:
            code = authenticator_code(authenticator_app(user))
            page.get_by_label("Code from your authenticator app").fill(code)
            page.get_by_role("button", name="Continue").click()
            page.wait_for_load_state()
            assert "/sign-in/" not in page.url, f"{user.username}'s code was refused"
        elif second_factor:
            assert "/sign-in/" not in page.url, f"{user.username} could not sign in"

    return sign_in_as


def screenshot(page, name):
    """A full-page picture in test-results/screens/ to look at by eye."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=SCREENS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png", full_page=True
    )


_axe = None

# Hints, errors and labels a screen reader would never reach because the id they are
# tied to is not on the page (axe does not flag a describedby that points nowhere).
BROKEN_REFERENCES = """() => {
  const broken = [];
  for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls"]) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) broken.push(`${attr}="${id}" on ${el.outerHTML.slice(0, 80)}`);
      }
    }
  }
  for (const label of document.querySelectorAll("label[for]")) {
    if (!document.getElementById(label.htmlFor)) broken.push(`label for="${label.htmlFor}"`);
  }
  for (const link of document.querySelectorAll(".nhsuk-error-summary a[href^='#']")) {
    if (!document.getElementById(link.hash.slice(1))) broken.push(`error summary link ${link.hash}`);
  }
  return broken;
}"""


@pytest.fixture
def accessible():
    """accessible(page, "name"): screenshot the page, then fail on serious or
    critical axe violations and on console errors."""
    return assert_accessible


def assert_accessible(page, name=None):
    """Run axe on the page as it is now and fail on anything serious or critical,
    listing each rule, its impact, what it means and where it failed. Also fails on
    console errors (for example an inline style the CSP refused)."""
    global _axe
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe

        _axe = Axe()
    if name:
        screenshot(page, name)
    results = _axe.run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    lines = []
    for violation in blocking:
        nodes = violation["nodes"]
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in nodes:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
    assert not lines, f"axe found problems on {page.url}:\n" + "\n".join(lines)
    broken = page.evaluate(BROKEN_REFERENCES)
    assert not broken, f"references to nothing on {page.url}:\n" + "\n".join(broken)
    problems = getattr(page, "problems", [])
    assert not problems, f"console errors on {page.url}:\n" + "\n".join(problems)


def assert_no_horizontal_overflow(page):
    widths = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], (
        f"{page.url} scrolls sideways: content is {widths[0]}px wide in a {widths[1]}px window"
    )
