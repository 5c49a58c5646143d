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
    "add_service": ("POST /api/v1/services",),
    "edit_service": ("PATCH /api/v1/services/{service_id}",),
    "add_team": ("POST /api/v1/teams",),
    "edit_team": ("PATCH /api/v1/teams/{team_id}",),
    "add_staff": ("POST /api/v1/staff",),
    "staff_member": ("PATCH /api/v1/staff/{user_id}",),
    "add_role": ("POST /api/v1/staff/{user_id}/roles",),
    "remove_role": ("DELETE /api/v1/staff/{user_id}/roles/{membership_id}",),
    "reset_second_factors": ("POST /api/v1/staff/{user_id}/second-factors/reset",),
    "set_temporary_password": ("POST /api/v1/staff/{user_id}/temporary-password",),
    "single_sign_on_identity": (
        "PUT /api/v1/staff/{user_id}/single-sign-on",
        "DELETE /api/v1/staff/{user_id}/single-sign-on",
    ),
    "approve_role_request": ("POST /api/v1/role-requests/{request_id}/approve",),
    "decline_role_request": ("POST /api/v1/role-requests/{request_id}/decline",),
    "approve_identity_link": ("POST /api/v1/identity-links/{link_id}/approve",),
    "decline_identity_link": ("POST /api/v1/identity-links/{link_id}/decline",),
    "revoke_api_token": ("DELETE /api/v1/api-tokens/{token_id}",),
    # end of organisations
    # -- people --
    "my_people": ("GET /api/v1/people", "POST /api/v1/people/search"),
    "add_person": ("POST /api/v1/people",),
    "add_enrolment": ("POST /api/v1/people/{person_id}/enrolments",),
    "break_glass": ("POST /api/v1/people/{person_id}/break-glass",),
    "review_break_glass": ("POST /api/v1/break-glass/{grant_id}/review",),
    "merge_people": ("POST /api/v1/people/merge",),
    "undo_merge": ("POST /api/v1/people/merges/{merge_id}/undo",),
    # end of people
    # -- concerns --
    "record_concern": ("POST /api/v1/concerns",),
    "amend_concern": ("POST /api/v1/concerns/{concern_id}/amendments",),
    "review_concern": ("POST /api/v1/concerns/{concern_id}/review",),
    "import_new": ("POST /api/v1/imports",),
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
    "edit_policy": ("PUT /api/v1/policies/{kind}",),
    "import_policy": ("POST /api/v1/policies/{kind}/import",),
    # end of policy
    # -- sharing --
    "record_consent": ("POST /api/v1/consents",),
    "record_capacity": ("POST /api/v1/capacity-assessments",),
    "start_decision": ("POST /api/v1/sharing-decisions/assess",),
    "countersign_decision": ("POST /api/v1/sharing-decisions/{decision_id}/countersign",),
    "amend_decision": ("POST /api/v1/sharing-decisions/{decision_id}/amendments",),
    "ask_advice": ("POST /api/v1/advice-requests",),
    "advice": ("POST /api/v1/advice-requests/{advice_id}/answer",),
    # end of sharing
    # -- disclosures --
    "start_referral": ("POST /api/v1/referrals",),
    "referral": ("PATCH /api/v1/referrals/{referral_id}",),
    "send_referral": ("POST /api/v1/referrals/{referral_id}/send",),
    "ask_approval": ("POST /api/v1/referrals/{referral_id}/ask-approval",),
    "approve_referral": ("POST /api/v1/referrals/{referral_id}/approve",),
    "confirm_submitted": ("POST /api/v1/referrals/{referral_id}/confirm-submitted",),
    "reopen_referral": ("POST /api/v1/referrals/{referral_id}/reopen",),
    "add_partner": ("POST /api/v1/partners",),
    "edit_partner": ("PATCH /api/v1/partners/{partner_id}",),
    "retire_partner": ("POST /api/v1/partners/{partner_id}/retire",),
    "add_agreement": ("POST /api/v1/agreements",),
    "agreement": ("PATCH /api/v1/agreements/{agreement_id}",),
    "retire_agreement": ("POST /api/v1/agreements/{agreement_id}/retire",),
    "record_told": ("POST /api/v1/sharing-decisions/{decision_id}/told",),
    "record_acknowledgement": ("POST /api/v1/disclosures/{disclosure_id}/responses",),
    "record_outcome": ("POST /api/v1/disclosures/{disclosure_id}/responses",),
    "contact_details": ("PUT /api/v1/me/contact-details",),
    # end of disclosures
    # -- governance --
    "audits": ("POST /api/v1/audits",),
    "finding": (
        "POST /api/v1/findings/{finding_id}/actions",
        "POST /api/v1/findings/{finding_id}/close",
    ),
    "action": ("POST /api/v1/actions/{action_id}/complete",),
    "new_sample": ("POST /api/v1/samples",),
    "sample_item": ("POST /api/v1/sample-items/{item_id}/review",),
    "meetings": ("POST /api/v1/meetings",),
    "meeting": ("POST /api/v1/meetings/{meeting_id}/minutes",),
    "sign_off_meeting": ("POST /api/v1/meetings/{meeting_id}/sign-off",),
    "new_supervision": ("POST /api/v1/supervisions",),
    "new_lesson": ("POST /api/v1/lessons",),
    "lesson": ("POST /api/v1/lessons/{lesson_id}/actions",),
    "lesson_assign_training": ("POST /api/v1/lessons/{lesson_id}/training",),
    "action_assign_training": ("POST /api/v1/actions/{action_id}/training",),
    "evidence_packs": ("POST /api/v1/evidence-packs",),
    # end of governance
    # -- training (assignments and read receipts) --
    "new_assignment": ("POST /api/v1/training/assignments",),
    "withdraw_assignment": ("POST /api/v1/training/assignments/{assignment_id}/withdraw",),
    "confirm_policy": ("POST /api/v1/policy-receipts",),
    # end of training (assignments and read receipts)
    # -- retention --
    "propose_destruction": ("POST /api/v1/destructions",),
    "destruction": ("POST /api/v1/destructions/{destruction_id}/approve",),
    "legal_hold": ("POST /api/v1/people/{person_id}/legal-holds",),
    "lift_legal_hold": ("POST /api/v1/legal-holds/{hold_id}/lift",),
    # end of retention
    # -- rights --
    "new_subject_access_request": ("POST /api/v1/people/{person_id}/subject-access-requests",),
    "sar_identity": ("POST /api/v1/subject-access-requests/{sar_id}/identity",),
    "sar_extend": ("POST /api/v1/subject-access-requests/{sar_id}/extend",),
    "sar_prepare": ("POST /api/v1/subject-access-requests/{sar_id}/prepare",),
    "sar_approve": ("POST /api/v1/subject-access-requests/{sar_id}/approve",),
    "sar_send": ("POST /api/v1/subject-access-requests/{sar_id}/send",),
    "sar_close": ("POST /api/v1/subject-access-requests/{sar_id}/close",),
    "new_rectification": ("POST /api/v1/people/{person_id}/rectifications",),
    "rectification_correct": ("POST /api/v1/rectifications/{rectification_id}/amendments",),
    "rectification_refuse": ("POST /api/v1/rectifications/{rectification_id}/refuse",),
    # end of rights
    # -- training: practice --
    "start_practice": ("POST /api/v1/training/attempts",),
    "practice_attempt": ("POST /api/v1/training/attempts/{attempt_id}/answers",),
    # end of training practice
}

BROWSER_ONLY = {
    "login": "signing in to a browser session; the API takes a bearer token instead",
    "logout": "ends a browser session; the API's tokens are revoked instead",
    "home": "sends the browser to the right first page, whatever the method",
    # -- organisations --
    "second_factor": "the second step of signing in to a browser session",
    "confirm_identity": "confirms who you are for a browser session; an API token "
    "carries the moment it was made after proving it",
    "add_authenticator_app": "sets up one's own second factor by scanning a code on screen",
    "recovery_codes": "shows one's own recovery codes once, on screen",
    "remove_factor": "one's own second factors, removed after confirming it is you in a browser",
    "otp_webauthn:credential-registration-begin": "a passkey is made by the browser itself",
    "otp_webauthn:credential-registration-complete": "a passkey is made by the browser itself",
    "otp_webauthn:credential-authentication-begin": "a passkey proves who you are to a browser",
    "otp_webauthn:credential-authentication-complete": "a passkey proves who you are to a browser",
    "change_password": "one's own password, typed by its owner; a script never holds it",
    "password_reset": "a link emailed to its owner, to open in a browser",
    "password_reset_confirm": "the emailed link's page, opened in a browser",
    "api_tokens": "a token is made with the password and a recent second factor in a "
    "browser, so a token left in a script cannot make another",
    "end_session": "one's own browser sessions; an API token is revoked instead",
    "end_other_sessions": "one's own browser sessions; an API token is revoked instead",
    "still_here": "keeps a browser session from timing out while its page is open",
    # end of organisations
    # -- people --
    # end of people
    # -- concerns --
    "save_concern_draft": "keeps what a recorder has typed in the concern form while they "
    "type, for them alone; an API client sends the whole concern to POST /api/v1/concerns",
    # end of concerns
    # -- patterns --
    # end of patterns
    # -- policy --
    # end of policy
    # -- sharing --
    "wizard_step": "the wizard's steps keep a draft of the answers while they are typed; "
    "the API takes them at once (POST /api/v1/sharing-decisions/assess, then "
    "POST /api/v1/sharing-decisions)",
    # end of sharing
    # -- disclosures --
    # end of disclosures
    # -- governance --
    # end of governance
    # -- training (assignments and read receipts) --
    "new_assignment": ("POST /api/v1/training/assignments",),
    "withdraw_assignment": ("POST /api/v1/training/assignments/{assignment_id}/withdraw",),
    "confirm_policy": ("POST /api/v1/policy-receipts",),
    # end of training (assignments and read receipts)
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
    # -- training (assignments and read receipts) --
    "new_assignment": ("POST /api/v1/training/assignments",),
    "withdraw_assignment": ("POST /api/v1/training/assignments/{assignment_id}/withdraw",),
    "confirm_policy": ("POST /api/v1/policy-receipts",),
    # end of training (assignments and read receipts)
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
