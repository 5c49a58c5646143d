"""Everything a page lets someone do, an integrator can do through the API, with the
same permission: the page and the API operation call one operation function.

Every page route that takes a POST (any signed-in row of the permission matrix other
than 405) must be listed below: in COVERED, with the API operations that do the same,
or in BROWSER_ONLY, saying why it has no meaning outside a browser. The permission
matrix rows of a page action and of its API operations must then agree, role by role:
refused (403) where the page refuses, not found (404) where the page does not find,
allowed where the page allows. A new page action with no API operation fails here.
"""

import pytest
from test_permission_matrix import API_MATRIX, PAGE_MATRIX, ROLES, api_operations

# fmt: off
COVERED = {
    # -- organisations --
    # end of organisations
    # -- people --
    # end of people
    # -- concerns --
    # end of concerns
    # -- patterns --
    "acknowledge_case": ("POST /api/v1/cases/{case_id}/acknowledge",),
    "acknowledge_alert": ("POST /api/v1/alerts/{alert_id}/acknowledge",),
    "decide_case": ("POST /api/v1/cases/{case_id}/decision",),
    "decide_alert": ("POST /api/v1/alerts/{alert_id}/decision",),
    "notifications": ("POST /api/v1/notifications/read",),
    "backtest_policy": ("POST /api/v1/policy/patterns/backtest",),
    # end of patterns
    # -- policy --
    # end of policy
    # -- sharing --
    # end of sharing
    # -- disclosures --
    # end of disclosures
    # -- governance --
    # end of governance
}

BROWSER_ONLY = {
    "login": "signing in to a browser session; the API takes a bearer token instead",
    "logout": "ends a browser session; the API's tokens are revoked instead",
    "home": "sends the browser to the right first page, whatever the method",
    # -- organisations --
    # end of organisations
    # -- people --
    # end of people
    # -- concerns --
    # end of concerns
    # -- patterns --
    # end of patterns
    # -- policy --
    # end of policy
    # -- sharing --
    # end of sharing
    # -- disclosures --
    # end of disclosures
    # -- governance --
    # end of governance
}

# Where a page and its API operation rightly differ for one member of the cast.
# (route, role): why.
DIFFERENCES = {
    # -- organisations --
    # end of organisations
    # -- people --
    # end of people
    # -- concerns --
    # end of concerns
    # -- patterns --
    # end of patterns
    # -- policy --
    # end of policy
    # -- sharing --
    # end of sharing
    # -- disclosures --
    # end of disclosures
    # -- governance --
    # end of governance
}
# fmt: on


def _outcome(status):
    if status in (401,):
        return "signs in first"
    if status == 403:
        return "refused"
    if status == 404:
        return "not found"
    if status == 405:
        return "not offered"
    return "allowed"


def page_actions(page_matrix=PAGE_MATRIX):
    """Routes whose POST does something for some signed-in member of the cast."""
    return sorted(
        name
        for (name, method), row in page_matrix.items()
        if method == "POST" and any(status != 405 for status in row[1:])
    )


def parity_problems(covered=COVERED, browser_only=BROWSER_ONLY, differences=DIFFERENCES):
    problems = []
    actions = page_actions()
    operations = api_operations()
    for name in actions:
        if name not in covered and name not in browser_only:
            problems.append(
                f"the page action {name!r} has no API operation: add one (calling the "
                "same operation function) and list it in COVERED"
            )
    for name in sorted({*covered, *browser_only} - set(actions)):
        problems.append(f"{name!r} is listed here but is not a page action")
    for name, ops in covered.items():
        for op in ops:
            if op not in operations:
                problems.append(f"{name!r} is covered by {op!r}, which the API does not have")
                continue
            page_row = PAGE_MATRIX.get((name, "POST"))
            api_row = API_MATRIX.get(op)
            if page_row is None or api_row is None:
                continue
            for role, page, api in zip(ROLES[1:], page_row[1:], api_row[1:], strict=True):
                if (name, role) in differences:
                    continue
                if _outcome(page) != _outcome(api):
                    problems.append(
                        f"{role} is {_outcome(page)} ({page}) on the page {name!r} but "
                        f"{_outcome(api)} ({api}) by {op!r}"
                    )
    return problems


def test_every_page_action_has_an_api_operation_with_the_same_permission():
    problems = parity_problems()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_a_page_action_without_an_api_operation_is_reported():
    covered = dict(COVERED)
    covered.pop("review_concern", None)
    problems = "\n".join(parity_problems(covered=covered))
    assert "the page action 'review_concern' has no API operation" in problems
