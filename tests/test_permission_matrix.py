"""Who may do what, route by route: a permission matrix generated from the URL
configuration and the API schema.

Every page route (by URL name) and every API operation ("METHOD /api/v1/path") must
have a row below giving the status each member of the cast gets. A new route without a
row, or a row for a route that has gone, fails the suite: deciding who may use a route
is part of adding it.

The rules the rows encode (need to know):
- care workers and team managers see people enrolled in their teams now or in the
  last 90 days; safeguarding leads and data protection officers see everyone in their
  organisation; administrators see structure and staff, not case content; auditors see
  no case content but the case-file samples they drew. Out of scope answers 404,
  exactly like a record that does not exist. Care workers and team managers may break
  glass on a record in their organisation by giving a reason; nobody else may.
- adding people: team managers and leads; enrolling: a lead or the team's manager.
- break-glass review and the audit trail: leads and data protection officers.
- organisation, service, team and staff administration: administrators; the staff
  list in the API: leads and administrators. A role with case access an administrator
  gives waits for the organisation's lead or data protection officer to approve it.
- importing people and concerns from CSV: safeguarding leads, for their own
  organisation; the column reference: anyone signed in.
- concerns: anyone who may see the person records one and reads it; its recorder, the
  team's manager and leads amend it; the team's manager and leads review it.
- duplicates and merging: leads see the organisation's possible duplicates and merge
  and unmerge records; anyone who may see a person may ask for its likely duplicates
  (only those they may see are returned).
- alerts and oversight: leads see their organisation's alerts, team managers those
  with a concern at a team they manage, and both acknowledge them; only the
  organisation's lead decides; nobody sees an alert naming them as the alleged source.
  Anyone else gets 404 for an alert. The pattern policy: leads.
- sharing: care workers, team managers and leads record consent and capacity
  assessments and use the decision framework for people they may see; only managers
  and leads record a decision; a lead or the data protection officer who did not make
  it countersigns (only a lead when risk was building); decisions are seen by
  managers, leads and data protection officers; drafts by their author and leads;
  anyone but auditors and administrators asks for advice, and leads and data
  protection officers answer it. Written policies are read by everyone signed in.
- governance: auditors and leads run audits and draw case-file samples; findings are
  seen by auditors, leads and the data protection officer, who agree actions on them;
  an action is seen by its owner and those who see findings, meetings or lessons, and
  closed by its owner or a lead; only leads hold oversight meetings; team managers
  supervise the care workers in their teams and leads anyone, and a session is read by
  its supervisor, the member of staff supervised (everyone has their own record) and
  leads; leads, auditors and the
  data protection officer keep the learning log and build evidence packs. Another
  organisation's records answer 404.
- retention: the lead and the data protection officer see the review list, place and
  lift legal holds and propose destruction; only the officer approves it.
- subject access and rectification requests: the data protection officer runs them
  (extends the time, approves and sends the response, refuses or closes a request);
  leads log and prepare them and correct records by amendment; nobody else sees them.
- sign-in and security (second factors, passkeys, one's own password): everyone signed
  in, for themselves only; a password reset link: anyone; resetting someone else's
  second factors or giving them a temporary password: administrators.
- the FHIR export: the same scope as the records it is made from (consents as their
  records, flags as alerts, document references as disclosures, audit events as the
  trail); its errors are FHIR OperationOutcomes.
- not signed in: pages redirect to /sign-in/, the API answers 401 in JSON.

Routes taking a person_id use Alice (Night team, Rose House); other_id is Bob, and
merge_id a record of Alice's merged into hers, alert_id the cumulative alert her three
concerns raise, case_id the case for decision it waits in. Olivia is the safeguarding lead of another organisation, so she never
sees Alice.
"""

import copy
import json

import pytest
import yaml
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from conftest import record_concern, signed_in
from sharewise.api.urls import api
from sharewise.concerns.models import ImportJob
from sharewise.organisations.models import (
    ApiToken,
    RoleRequest,
    SignedInSession,
    SingleSignOnIdentity,
)
from sharewise.patterns.models import Alert
from sharewise.people.models import BreakGlassAccess

ROLES = ("anonymous", "nia", "tom", "helen", "sarah", "david", "grace", "owen", "olivia")
PAGE_METHODS = ("GET", "POST")

# Pages, keyed by (URL name, method). Every page route is tried with GET and POST; a
# form POST sends the body in PAGE_BODIES (empty unless listed), so an allowed user
# gets 200 with form errors, 400 for an invalid action, or 302 when it succeeds.
# fmt: off
PAGE_MATRIX = {
    #                               anon nia  tom  helen sarah david grace owen olivia
    ("home", "GET"):                (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("home", "POST"):               (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("login", "GET"):               (200, 302, 302, 302, 302, 302, 302, 302, 302),
    ("login", "POST"):              (200, 302, 302, 302, 302, 302, 302, 302, 302),
    ("logout", "GET"):              (405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("logout", "POST"):             (302, 302, 302, 302, 302, 302, 302, 302, 302),
    # Single sign-on is not configured here: its pages are not found (its tests, with
    # a provider, are in organisations/tests/test_single_sign_on*.py).
    ("single_sign_on", "GET"):      (404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("single_sign_on", "POST"):     (405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("single_sign_on_callback", "GET"):  (404, 404, 404, 404, 404, 404, 404, 404, 404),
    ("single_sign_on_callback", "POST"): (405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("my_people", "GET"):           (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("my_people", "POST"):          (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("add_person", "GET"):          (302, 403, 403, 200, 200, 403, 403, 403, 200),
    ("add_person", "POST"):         (302, 403, 403, 200, 200, 403, 403, 403, 200),
    ("person", "GET"):              (302, 200, 404, 200, 200, 200, 404, 404, 404),
    ("person", "POST"):             (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("add_enrolment", "GET"):       (302, 403, 404, 200, 200, 403, 404, 404, 404),
    ("add_enrolment", "POST"):      (302, 403, 404, 200, 200, 403, 404, 404, 404),
    ("break_glass", "GET"):         (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("break_glass", "POST"):        (302, 302, 302, 302, 403, 403, 403, 403, 403),
    ("break_glass_review", "GET"):  (302, 403, 403, 403, 200, 200, 403, 403, 200),
    ("break_glass_review", "POST"): (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("review_break_glass", "GET"):  (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("review_break_glass", "POST"): (302, 403, 403, 403, 302, 302, 403, 403, 404),
    ("trail_search", "GET"):        (302, 403, 403, 403, 200, 200, 403, 403, 200),
    ("trail_search", "POST"):       (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("organisation", "GET"):        (302, 403, 403, 403, 403, 403, 403, 200, 403),
    ("organisation", "POST"):       (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("add_service", "GET"):         (302, 403, 403, 403, 403, 403, 403, 200, 403),
    ("add_service", "POST"):        (302, 403, 403, 403, 403, 403, 403, 200, 403),
    ("edit_service", "GET"):        (302, 403, 403, 403, 403, 403, 403, 200, 403),
    ("edit_service", "POST"):       (302, 403, 403, 403, 403, 403, 403, 200, 403),
    ("add_team", "GET"):            (302, 403, 403, 403, 403, 403, 403, 200, 403),
    ("add_team", "POST"):           (302, 403, 403, 403, 403, 403, 403, 200, 403),
    ("edit_team", "GET"):           (302, 403, 403, 403, 403, 403, 403, 200, 403),
    ("edit_team", "POST"):          (302, 403, 403, 403, 403, 403, 403, 200, 403),
    ("staff_list", "GET"):          (302, 403, 403, 403, 403, 403, 403, 200, 403),
    ("staff_list", "POST"):         (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("add_staff", "GET"):           (302, 403, 403, 403, 403, 403, 403, 200, 403),
    ("add_staff", "POST"):          (302, 403, 403, 403, 403, 403, 403, 200, 403),
    ("staff_member", "GET"):        (302, 403, 403, 403, 403, 403, 403, 200, 403),
    ("staff_member", "POST"):       (302, 403, 403, 403, 403, 403, 403, 200, 403),
    ("add_role", "GET"):            (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("add_role", "POST"):           (302, 403, 403, 403, 403, 403, 403, 400, 403),
    ("remove_role", "GET"):         (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("remove_role", "POST"):        (302, 403, 403, 403, 403, 403, 403, 302, 403),
    ("single_sign_on_identity", "GET"):  (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("single_sign_on_identity", "POST"): (302, 403, 403, 403, 403, 403, 403, 404, 403),
    # A single sign-on link waits for the same approvers as a role (tom's, made by owen).
    ("approve_identity_link", "GET"):  (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("approve_identity_link", "POST"): (302, 403, 403, 403, 302, 302, 403, 403, 404),
    ("decline_identity_link", "GET"):  (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("decline_identity_link", "POST"): (302, 403, 403, 403, 302, 302, 403, 403, 404),
    ("role_requests", "GET"):       (302, 403, 403, 403, 200, 200, 403, 403, 200),
    ("role_requests", "POST"):      (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("approve_role_request", "GET"): (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("approve_role_request", "POST"): (302, 403, 403, 403, 302, 302, 403, 403, 404),
    ("decline_role_request", "GET"): (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("decline_role_request", "POST"): (302, 403, 403, 403, 302, 302, 403, 403, 404),
    ("api_tokens", "GET"):          (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("api_tokens", "POST"):         (302, 200, 200, 200, 200, 200, 200, 200, 200),
    # Each person's own sessions: another's session answers 404 (test_sessions.py).
    ("my_sessions", "GET"):         (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("my_sessions", "POST"):        (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("end_session", "GET"):         (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("end_session", "POST"):        (302, 302, 404, 404, 404, 404, 404, 404, 404),
    ("end_other_sessions", "GET"):  (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("end_other_sessions", "POST"): (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("still_here", "GET"):          (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("still_here", "POST"):         (302, 204, 204, 204, 204, 204, 204, 204, 204),
    ("revoke_api_token", "GET"):    (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("revoke_api_token", "POST"):   (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("second_factor", "GET"):       (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("second_factor", "POST"):      (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("confirm_identity", "GET"):    (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("confirm_identity", "POST"):   (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("security", "GET"):            (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("security", "POST"):           (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("add_authenticator_app", "GET"):(302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("add_authenticator_app", "POST"):(302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("recovery_codes", "GET"):      (302, 302, 302, 302, 200, 200, 200, 200, 200),
    ("recovery_codes", "POST"):     (302, 302, 302, 302, 200, 200, 200, 200, 200),
    ("remove_factor", "GET"):       (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("remove_factor", "POST"):      (302, 404, 404, 404, 404, 404, 404, 404, 404),
    ("otp_webauthn:credential-registration-begin", "GET"):(403, 405, 405, 405, 405, 405, 405, 405, 405),
    ("otp_webauthn:credential-registration-begin", "POST"):(403, 200, 200, 200, 200, 200, 200, 200, 200),
    ("otp_webauthn:credential-registration-complete", "GET"):(403, 405, 405, 405, 405, 405, 405, 405, 405),
    ("otp_webauthn:credential-registration-complete", "POST"):(403, 400, 400, 400, 400, 400, 400, 400, 400),
    ("otp_webauthn:credential-authentication-begin", "GET"):(403, 405, 405, 405, 405, 405, 405, 405, 405),
    ("otp_webauthn:credential-authentication-begin", "POST"):(403, 200, 200, 200, 200, 200, 200, 200, 200),
    ("otp_webauthn:credential-authentication-complete", "GET"):(403, 405, 405, 405, 405, 405, 405, 405, 405),
    ("otp_webauthn:credential-authentication-complete", "POST"):(403, 400, 400, 400, 400, 400, 400, 400, 400),
    ("otp_webauthn:js-i18n-catalog", "GET"):(200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("otp_webauthn:js-i18n-catalog", "POST"):(405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("change_password", "GET"):     (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("change_password", "POST"):    (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("password_reset", "GET"):      (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("password_reset", "POST"):     (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("password_reset_done", "GET"): (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("password_reset_done", "POST"):(405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("password_reset_confirm", "GET"):(200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("password_reset_confirm", "POST"):(200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("password_reset_complete", "GET"):(200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("password_reset_complete", "POST"):(405, 405, 405, 405, 405, 405, 405, 405, 405),
    ("reset_second_factors", "GET"):(302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("reset_second_factors", "POST"):(302, 403, 403, 403, 403, 403, 403, 400, 403),
    ("set_temporary_password", "GET"):(302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("set_temporary_password", "POST"):(302, 403, 403, 403, 403, 403, 403, 400, 403),
    ("record_concern", "GET"):      (302, 200, 404, 200, 200, 200, 404, 404, 404),
    ("record_concern", "POST"):     (302, 200, 404, 200, 200, 200, 404, 404, 404),
    ("save_concern_draft", "GET"):  (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("save_concern_draft", "POST"): (302, 200, 404, 200, 200, 200, 404, 404, 404),
    ("chronology", "GET"):          (302, 200, 404, 200, 200, 200, 404, 404, 404),
    ("chronology", "POST"):         (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("concern", "GET"):             (302, 200, 404, 200, 200, 200, 404, 404, 404),
    ("concern", "POST"):            (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("amend_concern", "GET"):       (302, 200, 404, 200, 200, 403, 404, 404, 404),
    ("amend_concern", "POST"):      (302, 200, 404, 200, 200, 403, 404, 404, 404),
    ("review_concern", "GET"):      (302, 403, 404, 200, 200, 403, 404, 404, 404),
    ("review_concern", "POST"):     (302, 403, 404, 200, 200, 403, 404, 404, 404),
    ("edit_policy", "GET"):         (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("edit_policy", "POST"):        (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("export_policy", "GET"):       (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("export_policy", "POST"):      (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("import_policy", "GET"):       (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("import_policy", "POST"):      (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("read_policy", "GET"):         (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("read_policy", "POST"):        (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("review_queue", "GET"):        (302, 403, 403, 200, 200, 403, 403, 403, 200),
    ("review_queue", "POST"):       (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("import_new", "GET"):          (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("import_new", "POST"):         (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("import_job", "GET"):          (302, 403, 403, 403, 200, 403, 403, 403, 404),
    ("import_job", "POST"):         (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("import_columns", "GET"):      (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("import_columns", "POST"):     (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("possible_duplicates", "GET"): (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("possible_duplicates", "POST"): (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("merge_people", "GET"):        (302, 403, 404, 403, 200, 403, 404, 404, 404),
    ("merge_people", "POST"):       (302, 403, 404, 403, 200, 403, 404, 404, 404),
    ("undo_merge", "GET"):          (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("undo_merge", "POST"):         (302, 403, 403, 403, 302, 403, 403, 403, 404),
    ("oversight", "GET"):           (302, 403, 403, 200, 200, 403, 403, 403, 200),
    ("oversight", "POST"):          (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("heat_cell", "GET"):           (302, 403, 403, 200, 200, 403, 403, 403, 404),
    ("heat_cell", "POST"):          (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("alert_list", "GET"):          (302, 403, 403, 200, 200, 403, 403, 403, 200),
    ("alert_list", "POST"):         (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("alert", "GET"):               (302, 404, 404, 200, 200, 404, 404, 404, 404),
    ("alert", "POST"):              (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("acknowledge_alert", "GET"):   (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("acknowledge_alert", "POST"):  (302, 404, 404, 302, 302, 404, 404, 404, 404),
    ("decide_alert", "GET"):        (302, 404, 404, 403, 200, 404, 404, 404, 404),
    ("decide_alert", "POST"):       (302, 404, 404, 403, 200, 404, 404, 404, 404),
    ("case", "GET"):                (302, 404, 404, 200, 200, 404, 404, 404, 404),
    ("case", "POST"):               (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("acknowledge_case", "GET"):    (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("acknowledge_case", "POST"):   (302, 404, 404, 302, 302, 404, 404, 404, 404),
    ("decide_case", "GET"):         (302, 404, 404, 403, 200, 404, 404, 404, 404),
    ("decide_case", "POST"):        (302, 404, 404, 403, 200, 404, 404, 404, 404),
    ("notifications", "GET"):       (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("notifications", "POST"):      (302, 302, 302, 302, 302, 302, 302, 302, 302),
    ("backtest_policy", "GET"):     (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("backtest_policy", "POST"):    (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("person_sharing", "GET"):      (302, 200, 404, 200, 200, 200, 404, 404, 404),
    ("person_sharing", "POST"):     (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("record_consent", "GET"):      (302, 200, 404, 200, 200, 403, 403, 403, 404),
    ("record_consent", "POST"):     (302, 200, 404, 200, 200, 403, 403, 403, 404),
    ("record_capacity", "GET"):     (302, 200, 404, 200, 200, 403, 403, 403, 404),
    ("record_capacity", "POST"):    (302, 200, 404, 200, 200, 403, 403, 403, 404),
    ("start_decision", "GET"):      (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("start_decision", "POST"):     (302, 302, 404, 302, 302, 403, 403, 403, 404),
    ("capacity", "GET"):            (302, 200, 404, 200, 200, 200, 404, 404, 404),
    ("capacity", "POST"):           (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("wizard_step", "GET"):         (302, 200, 404, 404, 200, 403, 403, 403, 404),
    ("wizard_step", "POST"):        (302, 200, 404, 404, 200, 403, 403, 403, 404),
    ("sharing_work", "GET"):        (302, 403, 403, 200, 200, 200, 403, 403, 200),
    ("sharing_work", "POST"):       (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("sharing_decision", "GET"):    (302, 404, 404, 200, 200, 200, 404, 404, 404),
    ("sharing_decision", "POST"):   (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("countersign_decision", "GET"): (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("countersign_decision", "POST"): (302, 404, 404, 403, 403, 200, 404, 404, 404),
    ("amend_decision", "GET"):      (302, 403, 403, 200, 200, 403, 403, 403, 404),
    ("amend_decision", "POST"):     (302, 403, 403, 200, 200, 403, 403, 403, 404),
    ("ask_advice", "GET"):          (302, 200, 200, 200, 200, 200, 403, 403, 200),
    ("ask_advice", "POST"):         (302, 200, 200, 200, 200, 200, 403, 403, 200),
    ("advice", "GET"):              (302, 200, 404, 404, 200, 200, 404, 404, 404),
    ("advice", "POST"):             (302, 403, 404, 404, 200, 200, 404, 404, 404),
    ("start_referral", "GET"):      (302, 403, 403, 200, 200, 403, 403, 403, 404),
    ("start_referral", "POST"):     (302, 403, 403, 200, 200, 403, 403, 403, 404),
    ("referral", "GET"):            (302, 404, 404, 404, 200, 200, 404, 404, 404),
    ("referral", "POST"):           (302, 404, 404, 404, 302, 403, 404, 404, 404),
    ("referral_preview", "GET"):    (302, 404, 404, 404, 200, 200, 404, 404, 404),
    ("referral_preview", "POST"):   (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("send_referral", "GET"):       (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("send_referral", "POST"):      (302, 404, 404, 404, 302, 403, 404, 404, 404),
    ("ask_approval", "GET"):        (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("ask_approval", "POST"):       (302, 404, 404, 404, 302, 403, 404, 404, 404),
    ("approve_referral", "GET"):    (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("approve_referral", "POST"):   (302, 403, 403, 403, 403, 302, 403, 403, 403),
    ("referral_delivery", "GET"):   (302, 404, 404, 404, 302, 302, 404, 404, 404),
    ("referral_delivery", "POST"):  (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("confirm_submitted", "GET"):   (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("confirm_submitted", "POST"):  (302, 404, 404, 404, 200, 403, 404, 404, 404),
    ("reopen_referral", "GET"):     (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("reopen_referral", "POST"):    (302, 404, 404, 404, 302, 403, 404, 404, 404),
    ("partner_list", "GET"):        (302, 403, 403, 200, 200, 200, 403, 403, 200),
    ("partner_list", "POST"):       (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("add_partner", "GET"):         (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("add_partner", "POST"):        (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("edit_partner", "GET"):        (302, 403, 403, 403, 200, 403, 403, 403, 404),
    ("edit_partner", "POST"):       (302, 403, 403, 403, 200, 403, 403, 403, 404),
    ("retire_partner", "GET"):      (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("retire_partner", "POST"):     (302, 403, 403, 403, 302, 403, 403, 403, 404),
    ("contact_details", "GET"):     (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("contact_details", "POST"):    (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("disclosure_log", "GET"):      (302, 403, 403, 403, 200, 200, 403, 403, 200),
    ("disclosure_log", "POST"):     (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("disclosure", "GET"):          (302, 404, 404, 200, 200, 200, 404, 404, 404),
    ("disclosure", "POST"):         (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("disclosure_pdf", "GET"):      (302, 404, 404, 200, 200, 200, 404, 404, 404),
    ("disclosure_pdf", "POST"):     (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("person_disclosures", "GET"):  (302, 403, 403, 200, 200, 200, 403, 403, 404),
    ("person_disclosures", "POST"): (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("agreement_list", "GET"):      (302, 403, 403, 200, 200, 200, 403, 403, 200),
    ("agreement_list", "POST"):     (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("add_agreement", "GET"):       (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("add_agreement", "POST"):      (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("agreement", "GET"):           (302, 403, 403, 200, 200, 200, 403, 403, 404),
    ("agreement", "POST"):          (302, 403, 403, 403, 200, 403, 403, 403, 404),
    ("retire_agreement", "GET"):    (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("retire_agreement", "POST"):   (302, 403, 403, 403, 302, 403, 403, 403, 404),
    # the decision waits for a countersignature: the page says nothing can be told yet
    ("record_told", "GET"):         (302, 403, 403, 200, 200, 403, 403, 403, 404),
    ("record_told", "POST"):        (302, 403, 403, 200, 200, 403, 403, 403, 404),
    ("record_acknowledgement", "GET"):  (302, 404, 404, 200, 200, 403, 404, 404, 404),
    ("record_acknowledgement", "POST"): (302, 404, 404, 200, 200, 403, 404, 404, 404),
    ("record_outcome", "GET"):      (302, 404, 404, 200, 200, 403, 404, 404, 404),
    ("record_outcome", "POST"):     (302, 404, 404, 200, 200, 403, 404, 404, 404),
    ("governance", "GET"):          (302, 403, 403, 200, 200, 200, 200, 403, 200),
    ("governance", "POST"):         (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("audits", "GET"):              (302, 403, 403, 403, 200, 200, 200, 403, 200),
    ("audits", "POST"):             (302, 403, 403, 403, 200, 403, 200, 403, 200),
    ("audit", "GET"):               (302, 403, 403, 403, 200, 200, 200, 403, 404),
    ("audit", "POST"):              (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("finding", "GET"):             (302, 403, 403, 403, 200, 200, 200, 403, 404),
    ("finding", "POST"):            (302, 403, 403, 403, 200, 200, 200, 403, 404),
    ("actions", "GET"):             (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("actions", "POST"):            (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("action", "GET"):              (302, 404, 404, 200, 200, 200, 200, 404, 404),
    ("action", "POST"):             (302, 404, 404, 200, 200, 403, 403, 404, 404),
    # training is assigned from a finding's action or a lesson by leads only
    ("action_assign_training", "GET"): (302, 403, 403, 403, 200, 403, 403, 403, 404),
    ("action_assign_training", "POST"): (302, 403, 403, 403, 200, 403, 403, 403, 404),
    ("new_sample", "GET"):          (302, 403, 403, 403, 200, 403, 200, 403, 200),
    ("new_sample", "POST"):         (302, 403, 403, 403, 200, 403, 200, 403, 200),
    ("sample", "GET"):              (302, 403, 403, 403, 200, 403, 200, 403, 404),
    ("sample", "POST"):             (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("sample_item", "GET"):         (302, 403, 403, 403, 200, 403, 200, 403, 404),
    ("sample_item", "POST"):        (302, 403, 403, 403, 200, 403, 200, 403, 404),
    ("meetings", "GET"):            (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("meetings", "POST"):           (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("meeting", "GET"):             (302, 403, 403, 403, 200, 403, 403, 403, 404),
    ("meeting", "POST"):            (302, 403, 403, 403, 200, 403, 403, 403, 404),
    ("sign_off_meeting", "GET"):    (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("sign_off_meeting", "POST"):   (302, 403, 403, 403, 302, 403, 403, 403, 404),
    ("supervision", "GET"):         (302, 403, 403, 200, 200, 403, 403, 403, 200),
    ("supervision", "POST"):        (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("new_supervision", "GET"):     (302, 403, 403, 200, 200, 403, 403, 403, 404),
    ("new_supervision", "POST"):    (302, 403, 403, 200, 200, 403, 403, 403, 404),
    ("supervision_session", "GET"): (302, 200, 404, 200, 200, 404, 404, 404, 404),
    ("supervision_session", "POST"): (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("my_supervision", "GET"):      (302, 200, 200, 200, 200, 200, 200, 200, 200),
    ("my_supervision", "POST"):     (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("lessons", "GET"):             (302, 403, 403, 403, 200, 200, 200, 403, 200),
    ("lessons", "POST"):            (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("new_lesson", "GET"):          (302, 403, 403, 403, 200, 200, 200, 403, 200),
    ("new_lesson", "POST"):         (302, 403, 403, 403, 200, 200, 200, 403, 200),
    ("lesson", "GET"):              (302, 403, 403, 403, 200, 200, 200, 403, 404),
    ("lesson", "POST"):             (302, 403, 403, 403, 200, 200, 200, 403, 404),
    ("lesson_assign_training", "GET"): (302, 403, 403, 403, 200, 403, 403, 403, 404),
    ("lesson_assign_training", "POST"): (302, 403, 403, 403, 200, 403, 403, 403, 404),
    ("evidence_packs", "GET"):      (302, 403, 403, 403, 200, 200, 200, 403, 200),
    ("evidence_packs", "POST"):     (302, 403, 403, 403, 200, 200, 200, 403, 200),
    ("evidence_pack", "GET"):       (302, 403, 403, 403, 200, 200, 200, 403, 404),
    ("evidence_pack", "POST"):      (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("evidence_pack_pdf", "GET"):   (302, 403, 403, 403, 200, 200, 200, 403, 404),
    ("evidence_pack_pdf", "POST"):  (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("evidence_pack_html", "GET"):  (302, 403, 403, 403, 200, 200, 200, 403, 404),
    ("evidence_pack_html", "POST"): (302, 405, 405, 405, 405, 405, 405, 405, 405),
    # Training (assignments, read receipts): everyone with a case role has Your
    # training; the recording standards ask care workers, managers and leads to
    # confirm; only a lead assigns (another organisation's assignment: 404).
    ("your_training", "GET"):       (302, 200, 200, 200, 200, 200, 200, 403, 200),
    ("your_training", "POST"):      (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("confirm_policy", "GET"):      (302, 200, 200, 200, 200, 403, 403, 403, 200),
    ("confirm_policy", "POST"):     (302, 200, 200, 200, 200, 403, 403, 403, 200),
    ("assignments", "GET"):         (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("assignments", "POST"):        (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("new_assignment", "GET"):      (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("new_assignment", "POST"):     (302, 403, 403, 403, 200, 403, 403, 403, 200),
    ("assignment", "GET"):          (302, 403, 403, 403, 200, 403, 403, 403, 404),
    ("assignment", "POST"):         (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("withdraw_assignment", "GET"): (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("withdraw_assignment", "POST"): (302, 403, 403, 403, 200, 403, 403, 403, 404),
    # Retention: the lead and the officer; only the officer approves a destruction.
    ("retention_review", "GET"):    (302, 403, 403, 403, 200, 200, 403, 403, 200),
    ("retention_review", "POST"):   (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("propose_destruction", "GET"): (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("propose_destruction", "POST"): (302, 403, 403, 403, 302, 302, 403, 403, 302),
    ("destruction", "GET"):         (302, 403, 403, 403, 200, 200, 403, 403, 404),
    ("destruction", "POST"):        (302, 403, 403, 403, 403, 200, 403, 403, 404),
    ("destruction_certificate", "GET"):  (302, 403, 403, 403, 404, 404, 403, 403, 404),
    ("destruction_certificate", "POST"): (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("legal_hold", "GET"):          (302, 403, 403, 403, 200, 200, 403, 403, 404),
    ("legal_hold", "POST"):         (302, 403, 403, 403, 200, 200, 403, 403, 404),
    ("lift_legal_hold", "GET"):     (302, 403, 403, 403, 200, 200, 403, 403, 404),
    ("lift_legal_hold", "POST"):    (302, 403, 403, 403, 200, 200, 403, 403, 404),
    # -- rights: subject access and rectification (the officer runs them, leads log and
    # prepare; the world's request is prepared, not yet approved) --
    ("subject_access_requests", "GET"):(302, 403, 403, 403, 200, 200, 403, 403, 200),
    ("subject_access_requests", "POST"):(302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("person_rights", "GET"):        (302, 403, 403, 403, 200, 200, 403, 403, 404),
    ("person_rights", "POST"):       (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("new_subject_access_request", "GET"):(302, 403, 403, 403, 200, 200, 403, 403, 404),
    ("new_subject_access_request", "POST"):(302, 403, 403, 403, 200, 200, 403, 403, 404),
    ("subject_access_request", "GET"):(302, 403, 403, 403, 200, 200, 403, 403, 404),
    ("subject_access_request", "POST"):(302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("sar_identity", "GET"):         (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("sar_identity", "POST"):        (302, 403, 403, 403, 200, 200, 403, 403, 404),
    ("sar_extend", "GET"):           (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("sar_extend", "POST"):          (302, 403, 403, 403, 403, 200, 403, 403, 403),
    ("sar_prepare", "GET"):          (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("sar_prepare", "POST"):         (302, 403, 403, 403, 302, 302, 403, 403, 404),
    ("sar_approve", "GET"):          (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("sar_approve", "POST"):         (302, 403, 403, 403, 403, 302, 403, 403, 403),
    ("sar_send", "GET"):             (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("sar_send", "POST"):            (302, 403, 403, 403, 403, 200, 403, 403, 403),
    ("sar_close", "GET"):            (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("sar_close", "POST"):           (302, 403, 403, 403, 403, 200, 403, 403, 403),
    ("sar_preview", "GET"):          (302, 403, 403, 403, 200, 200, 403, 403, 404),
    ("sar_preview", "POST"):         (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("sar_export", "GET"):           (302, 403, 403, 403, 200, 200, 403, 403, 404),
    ("sar_export", "POST"):          (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("new_rectification", "GET"):    (302, 403, 403, 403, 200, 200, 403, 403, 404),
    ("new_rectification", "POST"):   (302, 403, 403, 403, 200, 200, 403, 403, 404),
    ("rectification", "GET"):        (302, 403, 403, 403, 200, 200, 403, 403, 404),
    ("rectification", "POST"):       (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("rectification_correct", "GET"):(302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("rectification_correct", "POST"):(302, 403, 403, 403, 200, 403, 403, 403, 404),
    ("rectification_refuse", "GET"): (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("rectification_refuse", "POST"):(302, 403, 403, 403, 200, 200, 403, 403, 404),
    # end of rights
    # -- training: practice (synthetic cases; nia's finished attempt) --
    ("practice", "GET"):            (302, 200, 200, 200, 200, 200, 200, 403, 200),
    ("practice", "POST"):           (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("practice_case", "GET"):       (302, 200, 200, 200, 200, 200, 200, 403, 200),
    ("practice_case", "POST"):      (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("start_practice", "GET"):      (302, 405, 405, 405, 405, 405, 405, 405, 405),
    ("start_practice", "POST"):     (302, 302, 302, 302, 302, 302, 302, 403, 302),
    ("practice_attempt", "GET"):    (302, 200, 404, 200, 200, 404, 404, 403, 404),
    ("practice_attempt", "POST"):   (302, 302, 404, 403, 403, 404, 404, 403, 404),
    # end of training practice
    ("healthz", "GET"):             (200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("healthz", "POST"):            (405, 405, 405, 405, 405, 405, 405, 405, 405),
}

# API operations, keyed as in the OpenAPI schema, called with each user's bearer token
# and the JSON body in API_BODIES.
API_MATRIX = {
    #                                          anon nia  tom  helen sarah david grace owen olivia
    "GET /api/v1/me":                          (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/services":                    (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/teams":                       (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/staff":                       (401, 403, 403, 403, 200, 403, 403, 200, 200),
    "POST /api/v1/staff/{user_id}/roles":      (401, 403, 403, 403, 403, 403, 403, 202, 403),
    "DELETE /api/v1/staff/{user_id}/roles/{membership_id}": (401, 403, 403, 403, 403, 403, 403, 204, 403),
    "GET /api/v1/role-requests":               (401, 403, 403, 403, 200, 200, 403, 403, 200),
    "POST /api/v1/role-requests/{request_id}/approve": (401, 403, 403, 403, 200, 200, 403, 403, 404),
    "POST /api/v1/role-requests/{request_id}/decline": (401, 403, 403, 403, 200, 200, 403, 403, 404),
    "GET /api/v1/staff/{user_id}":            (401, 403, 403, 403, 200, 403, 403, 200, 404),
    "POST /api/v1/staff":                      (401, 403, 403, 403, 403, 403, 403, 201, 403),
    "PATCH /api/v1/staff/{user_id}":          (401, 403, 403, 403, 403, 403, 403, 200, 403),
    "POST /api/v1/staff/{user_id}/temporary-password": (401, 403, 403, 403, 403, 403, 403, 204, 403),
    "POST /api/v1/staff/{user_id}/second-factors/reset": (401, 403, 403, 403, 403, 403, 403, 200, 403),
    # Single sign-on is not configured here, as for its page (test_organisations_api.py tries it set up).
    "PUT /api/v1/staff/{user_id}/single-sign-on": (401, 403, 403, 403, 403, 403, 403, 404, 403),
    "DELETE /api/v1/staff/{user_id}/single-sign-on": (401, 403, 403, 403, 403, 403, 403, 404, 403),
    "POST /api/v1/services":                   (401, 403, 403, 403, 403, 403, 403, 201, 403),
    "PATCH /api/v1/services/{service_id}":     (401, 403, 403, 403, 403, 403, 403, 200, 403),
    "POST /api/v1/teams":                      (401, 403, 403, 403, 403, 403, 403, 201, 403),
    "PATCH /api/v1/teams/{team_id}":           (401, 403, 403, 403, 403, 403, 403, 200, 403),
    "GET /api/v1/identity-links":              (401, 403, 403, 403, 200, 200, 403, 403, 200),
    "POST /api/v1/identity-links/{link_id}/approve": (401, 403, 403, 403, 200, 200, 403, 403, 404),
    "POST /api/v1/identity-links/{link_id}/decline": (401, 403, 403, 403, 204, 204, 403, 403, 404),
    # Each person's own tokens (another's answers 404: test_organisations_api.py).
    "GET /api/v1/api-tokens":                  (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "DELETE /api/v1/api-tokens/{token_id}":    (401, 204, 204, 204, 204, 204, 204, 204, 204),
    # The policies: leads; the written ones, everyone.
    "GET /api/v1/policies/{kind}":             (401, 403, 403, 403, 200, 403, 403, 403, 200),
    "PUT /api/v1/policies/{kind}":             (401, 403, 403, 403, 200, 403, 403, 403, 200),
    "POST /api/v1/policies/{kind}/import":     (401, 403, 403, 403, 200, 403, 403, 403, 200),
    "GET /api/v1/policies/{kind}/export":      (401, 403, 403, 403, 200, 403, 403, 403, 200),
    "GET /api/v1/written-policies/{document}": (401, 200, 200, 200, 200, 200, 200, 200, 200),
    # end of organisations API rows
    "POST /api/v1/people/{person_id}/break-glass": (401, 201, 201, 201, 403, 403, 403, 403, 403),
    "GET /api/v1/people":                      (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /api/v1/people/search":              (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /api/v1/people":                     (401, 403, 403, 201, 201, 403, 403, 403, 422),
    "GET /api/v1/people/{person_id}":          (401, 200, 404, 200, 200, 200, 404, 404, 404),
    "POST /api/v1/people/{person_id}/enrolments": (401, 403, 404, 201, 201, 403, 404, 404, 404),
    "POST /api/v1/concerns":                   (401, 201, 404, 201, 201, 201, 404, 404, 404),
    "GET /api/v1/concerns":                    (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/concerns/{concern_id}":       (401, 200, 404, 200, 200, 200, 404, 404, 404),
    "POST /api/v1/concerns/{concern_id}/amendments": (401, 201, 404, 201, 201, 403, 404, 404, 404),
    "POST /api/v1/concerns/{concern_id}/review": (401, 403, 404, 201, 201, 403, 404, 404, 404),
    "GET /api/v1/people/{person_id}/chronology": (401, 200, 404, 200, 200, 200, 404, 404, 404),
    "GET /api/v1/concerns/awaiting-review":    (401, 403, 403, 200, 200, 403, 403, 403, 200),
    # No file sent: a lead is told to choose one (422), anyone else refused.
    "POST /api/v1/imports":                    (401, 403, 403, 403, 422, 403, 403, 403, 422),
    "GET /api/v1/imports/{job_id}":            (401, 403, 403, 403, 200, 403, 403, 403, 404),
    # end of concerns API rows
    "GET /api/v1/audit-trail":                 (401, 403, 403, 403, 200, 200, 403, 403, 200),
    "GET /api/v1/audit-trail/verify":          (401, 403, 403, 403, 200, 200, 403, 403, 200),
    "GET /api/v1/people/{person_id}/possible-duplicates": (401, 200, 404, 200, 200, 200, 404, 404, 404),
    "POST /api/v1/people/merge":               (401, 403, 404, 403, 201, 403, 404, 404, 404),
    "POST /api/v1/people/merges/{merge_id}/undo": (401, 403, 403, 403, 200, 403, 403, 403, 404),
    "GET /api/v1/people/merges":              (401, 403, 403, 403, 200, 403, 403, 403, 200),
    "GET /api/v1/people/possible-duplicates":  (401, 403, 403, 403, 200, 403, 403, 403, 200),
    "GET /api/v1/people/{person_id}/enrolments": (401, 200, 404, 200, 200, 200, 404, 404, 404),
    "GET /api/v1/break-glass":                 (401, 403, 403, 403, 200, 200, 403, 403, 200),
    "POST /api/v1/break-glass/{grant_id}/review": (401, 403, 403, 403, 200, 200, 403, 403, 404),
    "POST /api/v1/people/{person_id}/care-record": (401, 403, 404, 201, 201, 403, 404, 404, 404),
    "GET /api/v1/people/{person_id}/care-record": (401, 200, 404, 200, 200, 200, 404, 404, 404),
    # end of people and audit trail API rows
    "GET /api/v1/alerts":                      (401, 403, 403, 200, 200, 403, 403, 403, 200),
    "GET /api/v1/alerts/{alert_id}":           (401, 404, 404, 200, 200, 404, 404, 404, 404),
    "POST /api/v1/alerts/{alert_id}/acknowledge": (401, 404, 404, 200, 200, 404, 404, 404, 404),
    "POST /api/v1/alerts/{alert_id}/decision": (401, 404, 404, 403, 201, 404, 404, 404, 404),
    "GET /api/v1/cases/{case_id}":             (401, 404, 404, 200, 200, 404, 404, 404, 404),
    "POST /api/v1/cases/{case_id}/decision":   (401, 404, 404, 403, 201, 404, 404, 404, 404),
    "GET /api/v1/people/{person_id}/risk":     (401, 200, 404, 200, 200, 200, 404, 404, 404),
    "GET /api/v1/policy/patterns":             (401, 403, 403, 403, 200, 403, 403, 403, 200),
    "PUT /api/v1/policy/patterns":             (401, 403, 403, 403, 200, 403, 403, 403, 200),
    "GET /api/v1/cases":                       (401, 403, 403, 200, 200, 403, 403, 403, 200),
    "POST /api/v1/cases/{case_id}/acknowledge": (401, 404, 404, 200, 200, 404, 404, 404, 404),
    "GET /api/v1/oversight":                   (401, 403, 403, 200, 200, 403, 403, 403, 200),
    "GET /api/v1/oversight/services/{service_id}/{category}": (401, 403, 403, 200, 200, 403, 403, 403, 404),
    "GET /api/v1/notifications":               (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /api/v1/notifications/read":         (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /api/v1/policy/patterns/backtest":   (401, 403, 403, 403, 200, 403, 403, 403, 200),
    # end of patterns and policy API rows
    "POST /api/v1/consents":                   (401, 201, 404, 201, 201, 403, 403, 403, 404),
    "POST /api/v1/capacity-assessments":       (401, 201, 404, 201, 201, 403, 403, 403, 404),
    "POST /api/v1/sharing-decisions/assess":   (401, 200, 404, 200, 200, 403, 403, 403, 404),
    "POST /api/v1/sharing-decisions":          (401, 403, 403, 201, 201, 403, 403, 403, 404),
    "GET /api/v1/sharing-decisions/{decision_id}": (401, 404, 404, 200, 200, 200, 404, 404, 404),
    "POST /api/v1/sharing-decisions/{decision_id}/countersign": (401, 404, 404, 403, 403, 200, 404, 404, 404),
    "POST /api/v1/advice-requests":            (401, 201, 201, 201, 201, 201, 403, 403, 201),
    "GET /api/v1/consents":                    (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/consents/{consent_id}":       (401, 200, 404, 200, 200, 200, 404, 404, 404),
    "GET /api/v1/capacity-assessments":        (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/capacity-assessments/{assessment_id}": (401, 200, 404, 200, 200, 200, 404, 404, 404),
    "GET /api/v1/sharing-decisions":           (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "POST /api/v1/sharing-decisions/{decision_id}/amendments": (401, 403, 403, 201, 201, 403, 403, 403, 404),
    "GET /api/v1/sharing-work":                (401, 403, 403, 200, 200, 200, 403, 403, 200),
    "GET /api/v1/advice-requests":             (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/advice-requests/{advice_id}": (401, 200, 404, 404, 200, 200, 404, 404, 404),
    "POST /api/v1/advice-requests/{advice_id}/answer": (401, 403, 404, 404, 200, 200, 404, 404, 404),
    # end of sharing API rows
    "POST /api/v1/referrals":                  (401, 403, 403, 201, 201, 403, 403, 403, 404),
    "GET /api/v1/referrals/{referral_id}":     (401, 404, 404, 404, 200, 200, 404, 404, 404),
    "PATCH /api/v1/referrals/{referral_id}":   (401, 404, 404, 404, 200, 403, 404, 404, 404),
    "GET /api/v1/referrals/{referral_id}/preview": (401, 404, 404, 404, 200, 200, 404, 404, 404),
    "POST /api/v1/referrals/{referral_id}/send": (401, 404, 404, 404, 422, 403, 404, 404, 404),
    "POST /api/v1/referrals/{referral_id}/confirm-submitted": (401, 404, 404, 404, 422, 403, 404, 404, 404),
    "GET /api/v1/partners":                    (401, 403, 403, 200, 200, 200, 403, 403, 200),
    "POST /api/v1/partners":                   (401, 403, 403, 403, 201, 403, 403, 403, 201),
    "PATCH /api/v1/partners/{partner_id}":     (401, 403, 403, 403, 200, 403, 403, 403, 404),
    "POST /api/v1/partners/{partner_id}/retire": (401, 403, 403, 403, 200, 403, 403, 403, 404),
    "GET /api/v1/disclosures":                 (401, 403, 403, 403, 200, 200, 403, 403, 200),
    "GET /api/v1/disclosures/{disclosure_id}": (401, 404, 404, 200, 200, 200, 404, 404, 404),
    "GET /api/v1/people/{person_id}/disclosures": (401, 403, 403, 200, 200, 200, 403, 403, 404),
    "GET /api/v1/referrals":                   (401, 403, 403, 200, 200, 200, 403, 403, 200),
    "POST /api/v1/referrals/{referral_id}/ask-approval": (401, 404, 404, 404, 422, 403, 404, 404, 404),
    "POST /api/v1/referrals/{referral_id}/approve": (401, 403, 403, 403, 403, 422, 403, 403, 403),
    "GET /api/v1/referrals/{referral_id}/delivery": (401, 404, 404, 404, 200, 200, 404, 404, 404),
    "POST /api/v1/referrals/{referral_id}/reopen": (401, 404, 404, 404, 422, 403, 404, 404, 404),
    "GET /api/v1/disclosures/{disclosure_id}/pdf": (401, 404, 404, 200, 200, 200, 404, 404, 404),
    "GET /api/v1/me/contact-details":           (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "PUT /api/v1/me/contact-details":           (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/agreements":                  (401, 403, 403, 200, 200, 200, 403, 403, 200),
    "POST /api/v1/agreements":                 (401, 403, 403, 403, 201, 403, 403, 403, 201),
    "GET /api/v1/agreements/{agreement_id}":   (401, 403, 403, 200, 200, 200, 403, 403, 404),
    "PATCH /api/v1/agreements/{agreement_id}": (401, 403, 403, 403, 200, 403, 403, 403, 404),
    "POST /api/v1/agreements/{agreement_id}/retire": (401, 403, 403, 403, 200, 403, 403, 403, 404),
    "GET /api/v1/disclosures/{disclosure_id}/responses": (401, 404, 404, 200, 200, 200, 404, 404, 404),
    "POST /api/v1/disclosures/{disclosure_id}/responses": (401, 404, 404, 201, 201, 403, 404, 404, 404),
    # the decision waits for a countersignature: nothing can be told under it yet (422)
    "POST /api/v1/sharing-decisions/{decision_id}/told": (401, 403, 403, 422, 422, 403, 403, 403, 404),
    # end of disclosures API rows
    "POST /api/v1/audits":                     (401, 403, 403, 403, 202, 403, 202, 403, 202),
    "GET /api/v1/audits/{audit_id}":           (401, 403, 403, 403, 200, 200, 200, 403, 404),
    "GET /api/v1/audits/{audit_id}/findings":  (401, 403, 403, 403, 200, 200, 200, 403, 404),
    "POST /api/v1/findings/{finding_id}/actions": (401, 403, 403, 403, 201, 201, 201, 403, 404),
    "GET /api/v1/meetings":                    (401, 403, 403, 403, 200, 403, 403, 403, 200),
    "POST /api/v1/meetings":                   (401, 403, 403, 403, 201, 403, 403, 403, 201),
    "GET /api/v1/meetings/{meeting_id}/agenda": (401, 403, 403, 403, 200, 403, 403, 403, 404),
    "POST /api/v1/meetings/{meeting_id}/minutes": (401, 403, 403, 403, 201, 403, 403, 403, 404),
    "POST /api/v1/supervisions":               (401, 403, 403, 201, 201, 403, 403, 403, 404),
    "GET /api/v1/lessons":                     (401, 403, 403, 403, 200, 200, 200, 403, 200),
    "POST /api/v1/lessons":                    (401, 403, 403, 403, 201, 201, 201, 403, 201),
    "POST /api/v1/evidence-packs":             (401, 403, 403, 403, 202, 202, 202, 403, 202),
    "GET /api/v1/evidence-packs/{pack_id}":    (401, 403, 403, 403, 200, 200, 200, 403, 404),
    "GET /api/v1/evidence-packs/{pack_id}/{form}": (401, 403, 403, 403, 200, 200, 200, 403, 404),
    "GET /api/v1/audits":                      (401, 403, 403, 403, 200, 200, 200, 403, 200),
    "GET /api/v1/findings/{finding_id}":       (401, 403, 403, 403, 200, 200, 200, 403, 404),
    "POST /api/v1/findings/{finding_id}/close": (401, 403, 403, 403, 422, 422, 422, 403, 404),
    "GET /api/v1/actions":                     (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/actions/{action_id}":         (401, 404, 404, 200, 200, 200, 200, 404, 404),
    "POST /api/v1/actions/{action_id}/complete": (401, 404, 404, 200, 200, 403, 403, 404, 404),
    "GET /api/v1/samples":                     (401, 403, 403, 403, 200, 403, 200, 403, 200),
    "POST /api/v1/samples":                    (401, 403, 403, 403, 201, 403, 201, 403, 422),
    "GET /api/v1/samples/{sample_id}":         (401, 403, 403, 403, 200, 403, 200, 403, 404),
    "GET /api/v1/sample-items/{item_id}":      (401, 403, 403, 403, 200, 403, 200, 403, 404),
    "POST /api/v1/sample-items/{item_id}/review": (401, 403, 403, 403, 200, 403, 200, 403, 404),
    "POST /api/v1/meetings/{meeting_id}/sign-off": (401, 403, 403, 403, 422, 403, 403, 403, 404),
    "GET /api/v1/supervisions":                (401, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/supervisions/{session_id}":   (401, 200, 404, 200, 200, 404, 404, 404, 404),
    "GET /api/v1/lessons/{lesson_id}":         (401, 403, 403, 403, 200, 200, 200, 403, 404),
    "POST /api/v1/lessons/{lesson_id}/actions": (401, 403, 403, 403, 201, 201, 201, 403, 404),
    "POST /api/v1/lessons/{lesson_id}/training": (401, 403, 403, 403, 201, 403, 403, 403, 404),
    "POST /api/v1/actions/{action_id}/training": (401, 403, 403, 403, 201, 403, 403, 403, 404),
    # a supervisor sees a supervisee's training before the session
    "GET /api/v1/supervisions/staff/{user_id}/training": (401, 403, 403, 200, 200, 403, 403, 403, 404),
    "GET /api/v1/evidence-packs":              (401, 403, 403, 403, 200, 200, 200, 403, 200),
    # end of governance API rows
    # Training assignments and read receipts (see the page rows).
    "GET /api/v1/training/assignments":        (401, 403, 403, 403, 200, 403, 403, 403, 200),
    "POST /api/v1/training/assignments":       (401, 403, 403, 403, 201, 403, 403, 403, 201),
    "GET /api/v1/training/assignments/{assignment_id}": (401, 403, 403, 403, 200, 403, 403, 403, 404),
    "POST /api/v1/training/assignments/{assignment_id}/withdraw": (401, 403, 403, 403, 200, 403, 403, 403, 404),
    "GET /api/v1/training/mine":               (401, 200, 200, 200, 200, 200, 200, 403, 200),
    "GET /api/v1/policy-receipts":             (401, 200, 200, 200, 200, 200, 200, 200, 200),
    # the shipped version needs no confirmation (422) unless assigned to read (Night team)
    "POST /api/v1/policy-receipts":            (401, 201, 422, 201, 422, 403, 403, 403, 422),
    # Practice: anyone with a case role; an attempt is seen by its member of staff, their
    # manager and the lead, and answered (once: nia's is finished, 422) only by its own.
    "GET /api/v1/training/cases":              (401, 200, 200, 200, 200, 200, 200, 403, 200),
    "GET /api/v1/training/cases/{code}":       (401, 200, 200, 200, 200, 200, 200, 403, 200),
    "POST /api/v1/training/attempts":          (401, 201, 201, 201, 201, 201, 201, 403, 201),
    "GET /api/v1/training/attempts":           (401, 200, 200, 200, 200, 200, 200, 403, 200),
    "GET /api/v1/training/attempts/{attempt_id}": (401, 200, 404, 200, 200, 404, 404, 403, 404),
    "POST /api/v1/training/attempts/{attempt_id}/answers": (401, 422, 404, 403, 403, 404, 404, 403, 404),
    # end of training practice API rows
    # The FHIR export: the same scope as the records it is made from. Its metadata says
    # only what may be asked, so anyone may read it; a search without ?patient= is
    # refused (400) for everyone signed in (test_fhir_export.py searches with one).
    "GET /api/v1/fhir/metadata":               (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "GET /api/v1/fhir/Patient/{person_id}":    (401, 200, 404, 200, 200, 200, 404, 404, 404),
    "GET /api/v1/fhir/Patient/{person_id}/$everything": (401, 200, 404, 200, 200, 200, 404, 404, 404),
    "GET /api/v1/fhir/Consent":                (401, 400, 400, 400, 400, 400, 400, 400, 400),
    "GET /api/v1/fhir/Flag":                   (401, 400, 400, 400, 400, 400, 400, 400, 400),
    "GET /api/v1/fhir/DocumentReference":      (401, 400, 400, 400, 400, 400, 400, 400, 400),
    "GET /api/v1/fhir/AuditEvent":             (401, 400, 400, 400, 400, 400, 400, 400, 400),
    "GET /api/v1/fhir/Consent/{fhir_consent_id}": (401, 200, 404, 200, 200, 200, 404, 404, 404),
    "GET /api/v1/fhir/Flag/{flag_id}":         (401, 404, 404, 200, 200, 404, 404, 404, 404),
    "GET /api/v1/fhir/DocumentReference/{document_id}": (401, 404, 404, 200, 200, 200, 404, 404, 404),
    "GET /api/v1/fhir/AuditEvent/{event_id}":  (401, 404, 404, 404, 200, 200, 404, 404, 404),
    # end of FHIR API rows
    "GET /api/v1/retention/review":            (401, 403, 403, 403, 200, 200, 403, 403, 200),
    "GET /api/v1/legal-holds":                 (401, 403, 403, 403, 200, 200, 403, 403, 200),
    "POST /api/v1/people/{person_id}/legal-holds": (401, 403, 403, 403, 201, 201, 403, 403, 404),
    "POST /api/v1/legal-holds/{hold_id}/lift": (401, 403, 403, 403, 200, 200, 403, 403, 404),
    # Alice is still in our care, so not due; Olivia has no record of hers to name.
    "POST /api/v1/destructions":               (401, 403, 403, 403, 422, 422, 403, 403, 422),
    "GET /api/v1/destructions/{destruction_id}": (401, 403, 403, 403, 200, 200, 403, 403, 404),
    # Dennis left 30 days ago: not due for years, so the officer is told so.
    "POST /api/v1/destructions/{destruction_id}/approve": (401, 403, 403, 403, 403, 422, 403, 403, 404),
    "GET /api/v1/destructions/{destruction_id}/certificate": (401, 403, 403, 403, 404, 404, 403, 403, 404),
    # end of retention API rows
    "GET /api/v1/subject-access-requests": (401, 403, 403, 403, 200, 200, 403, 403, 200),
    "POST /api/v1/people/{person_id}/subject-access-requests": (401, 403, 403, 403, 201, 201, 403, 403, 404),
    "GET /api/v1/subject-access-requests/{sar_id}": (401, 403, 403, 403, 200, 200, 403, 403, 404),
    "POST /api/v1/subject-access-requests/{sar_id}/identity": (401, 403, 403, 403, 200, 200, 403, 403, 404),
    "POST /api/v1/subject-access-requests/{sar_id}/extend": (401, 403, 403, 403, 403, 200, 403, 403, 403),
    "POST /api/v1/subject-access-requests/{sar_id}/prepare": (401, 403, 403, 403, 200, 200, 403, 403, 404),
    "POST /api/v1/subject-access-requests/{sar_id}/approve": (401, 403, 403, 403, 403, 200, 403, 403, 403),
    "POST /api/v1/subject-access-requests/{sar_id}/send": (401, 403, 403, 403, 403, 422, 403, 403, 403),
    "POST /api/v1/subject-access-requests/{sar_id}/close": (401, 403, 403, 403, 403, 200, 403, 403, 403),
    "GET /api/v1/subject-access-requests/{sar_id}/export": (401, 403, 403, 403, 200, 200, 403, 403, 404),
    "POST /api/v1/people/{person_id}/rectifications": (401, 403, 403, 403, 201, 201, 403, 403, 404),
    "GET /api/v1/rectifications/{rectification_id}": (401, 403, 403, 403, 200, 200, 403, 403, 404),
    "POST /api/v1/rectifications/{rectification_id}/amendments": (401, 403, 403, 403, 201, 403, 403, 403, 404),
    "POST /api/v1/rectifications/{rectification_id}/refuse": (401, 403, 403, 403, 200, 200, 403, 403, 404),
    # end of rights API rows
}
# fmt: on

NO_SUCH_ID = 987654321


def page_bodies(cast):
    return {
        ("break_glass", "POST"): {"reason": "Covering a night shift for a colleague"},
    }


def _policy_in_force(cast, kind):
    from sharewise.policy import store

    return store.in_force(cast.org.pk, kind)[0].document


def api_bodies(cast):
    from datetime import timedelta

    from django.utils import timezone

    today = cast.today.isoformat()
    month_ago = (cast.today - timedelta(days=30)).isoformat()
    soon = (cast.today + timedelta(days=14)).isoformat()
    recording = _policy_in_force(cast, "recording")  # PUT and import: saving no change
    return {
        "POST /api/v1/people/search": {"q": "moore"},
        "POST /api/v1/people": {
            "given_name": "Ivy",
            "family_name": "Newman",
            "date_of_birth": "1944-02-03",
            "team_id": cast.night.pk,
            "start_date": today,
        },
        "POST /api/v1/concerns": {
            "person_ids": [cast.alice.pk],
            # An hour ago, not a time of today's: just after midnight that is the future.
            "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "team_id": cast.night.pk,
            "categories": ["neglect"],
            "information_source": "observed",
            "facts": "Found without a drink.",
            "sharing_view": "agrees",
            "immediate_action": "Gave her a drink.",
            "severity": "low",
        },
        "POST /api/v1/concerns/{concern_id}/amendments": {
            "reason": "Corrected the time of night",
            "changes": {"facts": "Found without a drink at 2am."},
        },
        "POST /api/v1/concerns/{concern_id}/review": {
            "outcome": "monitor",
            "rationale": "Check drinks are left within reach on every round.",
        },
        "POST /api/v1/people/{person_id}/enrolments": {
            "team_id": cast.day.pk,
            "start_date": today,
        },
        "POST /api/v1/people/merge": {
            "keep_id": cast.alice.pk,
            "merge_id": cast.bob.pk,
            "reason": "Confirmed with the GP surgery",
        },
        "POST /api/v1/people/merges/{merge_id}/undo": {"reason": "Merged in error"},
        "POST /api/v1/staff/{user_id}/roles": {"role": "auditor"},
        "POST /api/v1/role-requests/{request_id}/decline": {"reason": "Not needed"},
        "POST /api/v1/people/{person_id}/break-glass": {
            "reason": "Covering a night shift for a colleague"
        },
        "POST /api/v1/consents": {
            "person_id": cast.alice.pk,
            "purpose": "Telling the council about the bruising",
            "outcome": "refused",
            "explained_how": "Sat with her and explained who would be told and why.",
            "capacity": "presumed",
        },
        "POST /api/v1/capacity-assessments": {"person_id": cast.alice.pk, **CAPACITY},
        "POST /api/v1/sharing-decisions/assess": {
            "person_id": cast.alice.pk,
            "answers": {"purpose": "yes", "consent": "refused", "necessary": "yes"},
        },
        "POST /api/v1/sharing-decisions": {
            "person_id": cast.alice.pk,
            "answers": SHARING_ANSWERS,
            **SHARING_DECISION,
        },
        "POST /api/v1/sharing-decisions/{decision_id}/countersign": {"agree": True},
        "POST /api/v1/referrals": {
            "decision_id": cast.sharing.pk,
            "template": "local_authority_adults",
        },
        "PATCH /api/v1/referrals/{referral_id}": {"inputs": {"immediate_risk": "No"}},
        # valid, so the outcome shows who may confirm (the referral is not final: 422)
        "POST /api/v1/referrals/{referral_id}/confirm-submitted": {
            "submitted_at": f"{today}T09:00:00+00:00",
            "submitted_by": "Sarah Whitfield",
            "reference": "MASH-1",
        },
        "POST /api/v1/partners": {
            "name": "Northshire Fire and Rescue",
            "team": "Safe and well visits",
            "channel": "phone",
            "phone": "01632 960 999",
        },
        "PATCH /api/v1/partners/{partner_id}": {"notes": "Open 9am to 5pm"},
        "POST /api/v1/advice-requests": {
            "question": "Is a bruise from a fall always a safeguarding concern?"
        },
        # valid, so a lead gets 201: the outcome shows who may decide, not the checks
        "POST /api/v1/alerts/{alert_id}/decision": {
            "outcome": "no_further_action",
            "rationale": "Spoke with Alice and the night staff; the bell is now fixed in reach.",
        },
        "POST /api/v1/cases/{case_id}/decision": {
            "outcome": "no_further_action",
            "rationale": "Spoke with Alice and the night staff; the bell is now fixed in reach.",
        },
        "POST /api/v1/audits": {"period_from": month_ago, "period_to": today},
        "POST /api/v1/evidence-packs": {"period_from": month_ago, "period_to": today},
        "POST /api/v1/findings/{finding_id}/actions": {
            "description": "Remind the night team of review times",
            "owner_id": cast.helen.pk,
            "due": soon,
        },
        "POST /api/v1/meetings": {"held_at": f"{soon}T10:00:00+00:00"},
        "POST /api/v1/meetings/{meeting_id}/minutes": {
            "item": "other::",
            "discussion": "Staffing over the holidays was discussed.",
        },
        "POST /api/v1/supervisions": {
            "staff_id": cast.nia.pk,
            "responses": {"0": "It could be neglect at night, not just a busy shift."},
            "reflection": "I wrote what I saw but not what Alice said.",
            "learning": "Record the person's own words first.",
        },
        "POST /api/v1/lessons/{lesson_id}/training": {
            "what": "policy",
            "policy_kind": "information_sharing",
            "roles": ["care_worker"],
            "due": soon,
        },
        "POST /api/v1/actions/{action_id}/training": {
            "what": "policy",
            "policy_kind": "recording",
            "team_ids": [cast.night.pk],
            "due": soon,
        },
        "POST /api/v1/lessons": {
            "title": "Refusals accepted without escalation",
            "source": "internal_review",
            "what_happened": "Refusals were accepted on every shift and nobody escalated.",
            "failure_pattern": "consent",
            "measure": "refusals_reviewed",
            "changed_on": month_ago,
        },
        "PUT /api/v1/policy/patterns": {
            "document": {"cumulative": {"concerns": 4, "days": 90}},
            "note": "Fewer alerts for the pilot",
        },
        "POST /api/v1/staff": {
            "username": "ada.new",
            "first_name": "Ada",
            "last_name": "Nwosu",
            "password": "Plum-orchard-lantern-93",
            "role": "care_worker",
            "team_id": cast.night.pk,
        },
        "PATCH /api/v1/staff/{user_id}": {"first_name": "Nia"},
        "POST /api/v1/staff/{user_id}/temporary-password": {"password": "Plum-orchard-lantern-93"},
        "POST /api/v1/staff/{user_id}/second-factors/reset": {
            "reason": "Phone stolen, reported to me in person today"
        },
        "PUT /api/v1/staff/{user_id}/single-sign-on": {"subject": "nia"},
        "POST /api/v1/services": {"name": "Willow Lodge", "kind": "care_home"},
        "PATCH /api/v1/services/{service_id}": {"name": "Rose House"},
        "POST /api/v1/teams": {"service_id": cast.rose.pk, "name": "Weekend team"},
        "PATCH /api/v1/teams/{team_id}": {"name": "Night team"},
        "POST /api/v1/identity-links/{link_id}/decline": {"reason": "Not their account"},
        "PUT /api/v1/policies/{kind}": {"document": recording, "note": "Checked, no change"},
        "POST /api/v1/policies/{kind}/import": {"file": yaml.safe_dump(recording)},
        # (organisations bodies above this line)
        #
        "POST /api/v1/break-glass/{grant_id}/review": {"note": "Covering a night shift"},
        "POST /api/v1/people/{person_id}/care-record": {
            "kind": "medication",
            "text": "Donepezil 10mg at night",
            "written_at": (timezone.now() - timedelta(hours=2)).isoformat(),
            "written_by": "Rose House care plan",
            "source_id": "care-plan-1",
        },
        # (people and audit trail bodies above this line)
        #
        # (concerns bodies above this line)
        #
        "POST /api/v1/policy/patterns/backtest": {
            "start": month_ago,
            "end": today,
            "document": {"cumulative": {"concerns": 4}},
        },
        # (patterns and policy bodies above this line)
        #
        "POST /api/v1/sharing-decisions/{decision_id}/amendments": {
            "reason": "The council named the officer who took it",
            "changes": {"recipient_name": "Sam Okafor"},
        },
        "POST /api/v1/advice-requests/{advice_id}/answer": {
            "answer": "Not always: record it, and look for a pattern of falls.",
        },
        # (sharing bodies above this line)
        #
        # valid, so the outcome shows who may countersign (it keeps to the minimum: 422)
        "POST /api/v1/referrals/{referral_id}/approve": {
            "note": "The enquiry officer needs the full picture"
        },
        "PUT /api/v1/me/contact-details": {"job_title": "Night carer", "phone": "01632 960 555"},
        "POST /api/v1/agreements": {
            "partner_organisation": "Northshire Police",
            "title": "Public protection information-sharing protocol",
            "purposes": ["crime"],
            "article_6": ["e"],
            "secure_channel": "Phone to the public protection unit",
            "starts_on": f"{today}",
            "review_on": f"{today}",
            "contact_name": "DS Mark Ellis",
        },
        "PATCH /api/v1/agreements/{agreement_id}": {"contact_details": "01632 960 555"},
        "POST /api/v1/disclosures/{disclosure_id}/responses": {
            "kind": "acknowledgement",
            "acknowledged_at": timezone.now().isoformat(),
            "acknowledged_by": "Duty social worker",
        },
        "POST /api/v1/sharing-decisions/{decision_id}/told": {
            "recipient_organisation": "Northshire Police",
            "recipient_role": "Public protection unit",
            "channel": "phone",
            "told_at": timezone.now().isoformat(),
            "purpose": "crime",
            "what_said": "Her nephew has taken money from her purse.",
        },
        # (disclosures bodies above this line)
        #
        "POST /api/v1/findings/{finding_id}/close": {
            "reason": "Already put right: the night team reviewed it the next morning."
        },
        "POST /api/v1/actions/{action_id}/complete": {
            "note": "Reviewed every waiting concern with the night team."
        },
        "POST /api/v1/samples": {
            "kind": "concerns",
            "period_from": month_ago,
            "period_to": today,
            "size": 2,
        },
        "POST /api/v1/sample-items/{item_id}/review": {
            "answers": {
                code: "yes"
                for code in (
                    "facts_clear",
                    "persons_words",
                    "immediate_action",
                    "reviewed_in_time",
                    "pattern_seen",
                )
            },
        },
        "POST /api/v1/lessons/{lesson_id}/actions": {
            "description": "Add refusals to the handover sheet",
            "owner_id": cast.helen.pk,
            "due": soon,
        },
        # (governance bodies above this line)
        "POST /api/v1/training/assignments": {
            "what": "policy",
            "policy_kind": "recording",
            "roles": ["safeguarding_lead"],
            "due": soon,
        },
        "POST /api/v1/training/assignments/{assignment_id}/withdraw": {
            "reason": "Replaced by a newer case"
        },
        "POST /api/v1/policy-receipts": {"kind": "recording", "version": 1},
        # (training bodies above this line)
        "POST /api/v1/people/{person_id}/legal-holds": {
            "reason": "Safeguarding Adults Review under way"
        },
        "POST /api/v1/legal-holds/{hold_id}/lift": {"reason": "The review has reported"},
        "POST /api/v1/destructions": {"person_ids": [cast.alice.pk]},
        "POST /api/v1/destructions/{destruction_id}/approve": {"note": "Checked the list"},
        #
        "POST /api/v1/people/{person_id}/subject-access-requests": {
            "requester": "person",
            "requester_name": "Alice Moore",
            "contact": "Room 4, Rose House",
            "received_on": today,
        },
        "POST /api/v1/subject-access-requests/{sar_id}/identity": {"method": "Known to staff"},
        "POST /api/v1/subject-access-requests/{sar_id}/extend": {
            "months": 1,
            "reasons": "Ten years of records across three services",
            "told_on": today,
        },
        "POST /api/v1/subject-access-requests/{sar_id}/approve": {"note": "Checked"},
        # valid, so the outcome shows who may send (not approved yet: 422)
        "POST /api/v1/subject-access-requests/{sar_id}/send": {"channel": "letter"},
        "POST /api/v1/subject-access-requests/{sar_id}/close": {
            "outcome": "withdrawn",
            "reason": "She asked us to stop: she has what she needs",
        },
        "POST /api/v1/people/{person_id}/rectifications": {
            "requester_name": "Alice Moore",
            "received_on": today,
            "what_is_wrong": "The call bell was in reach that evening",
        },
        "POST /api/v1/rectifications/{rectification_id}/amendments": {
            "changes": {"facts": "Alice's call bell was out of reach for an hour."},
            "reason": "As Alice asked, confirmed by the night log",
        },
        "POST /api/v1/rectifications/{rectification_id}/refuse": {
            "reason": "The night log confirms the record as written"
        },
        # (rights bodies above this line)
        #
        "POST /api/v1/training/attempts": {"case_code": "refused_emotional_abuse"},
        "POST /api/v1/training/attempts/{attempt_id}/answers": _practice_answers(),
        # (training practice bodies above this line)
    }


# Discovering what exists


def _walk(patterns, prefix=""):
    """(URL name, path parameter names) of every page route, outside the API include."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == api.urls_namespace:
                continue  # the API is enumerated from its schema instead
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _walk(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern):
            name = f"{prefix}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>"
            yield name, tuple(getattr(entry.pattern, "converters", {}))


def page_routes():
    return dict(_walk(get_resolver().url_patterns))


def api_operations():
    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    }


def coverage_problems(page_matrix=PAGE_MATRIX, api_matrix=API_MATRIX):
    problems = []
    routes = page_routes()
    for name in sorted(routes):
        for method in PAGE_METHODS:
            if (name, method) not in page_matrix:
                problems.append(
                    f"no expected outcomes for route {name!r} ({method}): add it to the matrix"
                )
    for name, method in sorted(page_matrix):
        if name not in routes:
            problems.append(
                f"the matrix lists route {name!r} ({method}), which no longer exists: "
                "remove it from the matrix"
            )
    operations = api_operations()
    for operation in sorted(operations - set(api_matrix)):
        problems.append(f"no expected outcomes for route {operation!r}: add it to the matrix")
    for operation in sorted(set(api_matrix) - operations):
        problems.append(
            f"the matrix lists route {operation!r}, which no longer exists: "
            "remove it from the matrix"
        )
    for key, row in [*page_matrix.items(), *api_matrix.items()]:
        if len(row) != len(ROLES):
            problems.append(f"the row for {key!r} has {len(row)} outcomes, not {len(ROLES)}")
    return problems


def test_every_route_and_api_operation_has_expected_outcomes():
    problems = coverage_problems()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_a_route_missing_from_the_matrix_or_gone_from_the_app_is_reported():
    pages = {k: v for k, v in PAGE_MATRIX.items() if k[0] != "person"}
    pages[("retired_page", "GET")] = (302,) * len(ROLES)
    operations = {k: v for k, v in API_MATRIX.items() if k != "GET /api/v1/me"}
    problems = "\n".join(coverage_problems(pages, operations))
    assert "no expected outcomes for route 'person' (GET): add it to the matrix" in problems
    assert "no expected outcomes for route 'GET /api/v1/me': add it to the matrix" in problems
    assert "'retired_page' (GET), which no longer exists" in problems


# Running the matrix


def _ids(cast, user, grant, tokens):
    """Path parameters for a request by this user: the cast's own objects."""
    return {
        "person_id": cast.alice.pk,
        "concern_id": cast.concern.pk,
        "kind": "recording",
        "document": "information_sharing",
        "grant_id": grant.pk,
        "service_id": cast.rose.pk,
        "team_id": cast.night.pk,
        "user_id": cast.nia.pk,
        "membership_id": cast.nia.memberships.get().pk,
        # each person revokes one of their own tokens
        "token_id": tokens[user or cast.nia][0].pk,
        "signed_in_id": cast.nias_other_session.pk,
        "job_id": cast.import_job.pk,
        "other_id": cast.bob.pk,
        "merge_id": cast.merge.pk,
        "alert_id": cast.alert.pk,
        "case_id": cast.alert.case_id,
        "category": "neglect",
        "draft_id": cast.draft.pk,
        "step": "purpose",
        "decision_id": cast.decision.pk,
        "assessment_id": cast.assessment.pk,
        "consent_id": cast.consent.pk,
        "advice_id": cast.advice.pk,
        "referral_id": cast.referral.pk,
        "disclosure_id": cast.disclosure.pk,
        "partner_id": cast.partner.pk,
        "agreement_id": cast.agreement.pk,
        "run_id": cast.audit_run.pk,
        "audit_id": cast.audit_run.pk,
        "finding_id": cast.finding.pk,
        "action_id": cast.action.pk,
        "sample_id": cast.sample.pk,
        "item_id": cast.sample_item.pk,
        "meeting_id": cast.meeting.pk,
        "session_id": cast.supervision.pk,
        "lesson_id": cast.lesson.pk,
        "assignment_id": cast.training_assignment.pk,
        "pack_id": cast.pack.pk,
        "hold_id": cast.hold.pk,
        "destruction_id": cast.destruction.pk,
        "request_id": cast.role_request.pk,
        "link_id": cast.identity_link.pk,
        "form": "pdf",
        # FHIR ids: Nia's record of Alice's refusal, Alice's alert as it shows on her
        # record, and the trail's first entry about her.
        "fhir_consent_id": f"consent-{cast.consent.pk}",
        "flag_id": f"{cast.alert.pk}-{cast.alice.pk}",
        "document_id": cast.disclosure.pk,
        "event_id": _first_entry_about(cast.alice),
        "sar_id": cast.sar.pk,
        "rectification_id": cast.rectification.pk,
        "code": "refused_emotional_abuse",
        "attempt_id": cast.practice_attempt.pk,
        "device_id": NO_SUCH_ID,
        "uidb64": "MQ",
        "token": "no-such-token",
    }


def _first_entry_about(person):
    from sharewise.audittrail.models import Entry

    return Entry.objects.filter(person_id=person.pk).order_by("id").values_list("pk", flat=True)[0]


def _call(client, method, path, body=None, *, secret=None, json_body=False):
    """One request, undone afterwards (database and the client's cookies) so every case
    starts from the cast, even after signing out or revoking a token."""
    cookies = copy.deepcopy(client.cookies)
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    with transaction.atomic():
        try:
            if json_body:
                response = client.generic(
                    method,
                    path,
                    json.dumps(body) if body is not None else "",
                    content_type="application/json",
                    headers=headers,
                )
            elif method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, body or {})
        except Exception as error:  # a crash is a mismatch too, not the end of the run
            response = error
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def _status(response):
    if isinstance(response, Exception):
        return f"{type(response).__name__}: {response}"
    return response.status_code


def _api_error_problem(response):
    if response.status_code < 400:
        return None
    if response.get("Content-Type", "").startswith("application/fhir+json"):
        body = response.json()
        if body.get("resourceType") != "OperationOutcome" or not body.get("issue"):
            return f"FHIR error is not an OperationOutcome: {response.content[:200]!r}"
        return None
    if not response.get("Content-Type", "").startswith("application/json"):
        return f"error is not JSON ({response.get('Content-Type')})"
    if "message" not in response.json():
        return f"JSON error has no message: {response.content[:200]!r}"
    return None


def _record_merged_into_alice(cast):
    """A second record of Alice, already merged into hers by Sarah."""
    from sharewise.people.models import Person, PersonMerge

    twin = Person.objects.create(
        organisation=cast.org,
        given_name="Alice",
        family_name="Moor",
        date_of_birth=cast.alice.date_of_birth,
        merged_into=cast.alice,
    )
    return PersonMerge.objects.create(
        organisation=cast.org,
        kept=cast.alice,
        merged=twin,
        merged_by=cast.sarah,
        reason="Recorded twice on admission",
    )


CAPACITY = {
    "decision": "Whether to agree to the council being told about the bruising",
    "help_given": "Explained slowly with her daughter present.",
    "can_understand": True,
    "can_retain": True,
    "can_use_or_weigh": True,
    "can_communicate": True,
    "evidence": "Repeated back who would be told and why, and said no.",
}
CONSENT = {
    "purpose": "Telling the council about the bruising",
    "outcome": "refused",
    "explained_how": "Sat with her and explained who would be told and why.",
    "capacity": "presumed",
}
SHARING_ANSWERS = {
    "purpose": "yes",
    "consent": "refused",
    "grounds": ["others_at_risk"],
    "at_risk": "yes",
    "necessary": "yes",
}
SHARING_DECISION = {
    "question": "Tell the council about the threats to other residents?",
    "purpose": "To protect other residents",
    "outcome": "share_without_consent",
    "override_grounds": ["others_at_risk"],
    "article_6": "e",
    "article_9": "g",
    "schedule_1": "para_18",
    "necessity": "Other residents are at risk and only the council can enquire.",
    "recipient_organisation": "Northshire County Council",
    "recipient_role": "Adult safeguarding team",
    "what_shared": "The three concerns and what was said.",
    "channel": "secure_email",
    "person_told": "yes",
}


def _sharing_records(cast):
    """Nia's unfinished sharing decision and her question to the lead (no person named);
    Helen's capacity assessment of Alice; Sarah's decision to share about Alice, which
    departs from the recommendation and so waits for a countersignature (Helen
    recommended against, the lead's and DPO's)."""
    from types import SimpleNamespace

    from sharewise.sharing import decisions
    from sharewise.sharing.models import Draft

    def by(user):
        return SimpleNamespace(user=user, META={})

    cast.draft = Draft.objects.create(
        organisation=cast.org, person=cast.alice, author=cast.nia, answers={}
    )
    cast.advice = decisions.ask_advice(
        by(cast.nia), cast.org.pk, "Is a bruise from a fall always a safeguarding concern?"
    )
    cast.assessment = decisions.record_capacity(by(cast.helen), cast.alice, CAPACITY)
    cast.consent = decisions.record_consent(by(cast.nia), cast.alice, CONSENT)
    # The signed decision first: one recorded later would supersede the waiting one.
    _disclosure_records(cast, by)
    cast.decision = decisions.record_decision(
        by(cast.sarah),
        cast.alice,
        {**SHARING_ANSWERS, "grounds": []},
        {
            **SHARING_DECISION,
            "departure_rationale": "Her neighbour in the next room is frightened of the same "
            "visitor, so others are at risk even if Alice says no.",
        },
    )
    assert cast.decision.status == "awaiting_countersign"


def _disclosure_records(cast, by):
    """Sarah's signed decision to share about Alice, a referral she sent from it (the
    disclosure) and another she is still building."""
    from datetime import timedelta

    from sharewise.disclosures import referrals
    from sharewise.disclosures.models import Agreement, Partner, StaffContact
    from sharewise.sharing import decisions

    cast.sarah.email = "sarah@oakleigh.example"
    cast.sarah.save(update_fields=["email"])
    StaffContact.objects.create(
        user=cast.sarah, job_title="Safeguarding lead", phone="01632 960 101"
    )
    cast.partner = Partner.objects.create(
        organisation=cast.org,
        added_by=cast.sarah,
        name="Northshire County Council",
        team="Adult safeguarding team",
        channel=Partner.Channel.SECURE_EMAIL,
        email="adults@northshire.example",
    )
    cast.agreement = Agreement.objects.create(
        organisation=cast.org,
        added_by=cast.sarah,
        partner_organisation="Northshire County Council",
        title="Adult safeguarding information-sharing agreement",
        purposes=["enquiry"],
        article_6=["e"],
        secure_channel="Secure email",
        starts_on=cast.today - timedelta(days=100),
        review_on=cast.today + timedelta(days=200),
        contact_name="Information governance team",
    )
    sharing = decisions.record_decision(
        by(cast.sarah), cast.alice, SHARING_ANSWERS, SHARING_DECISION
    )
    sent = referrals.start(by(cast.sarah), sharing, "local_authority_adults")
    sent = referrals.change(
        by(cast.sarah),
        sent,
        inputs={"immediate_risk": "No", "s42_criteria": "All three"},
        partner=cast.partner.pk,
    )
    sent, _ = referrals.preview(by(cast.sarah), sent)
    cast.disclosure = referrals.send(by(cast.sarah), sent).disclosure
    cast.referral = referrals.start(by(cast.sarah), sharing, "police")
    cast.sharing = sharing


def _governance_records(cast):
    """An audit with one finding and Helen's action on it, Grace's case-file sample,
    Sarah's oversight meeting, Helen's supervision of Nia, a lesson and a finished
    evidence pack."""
    from datetime import timedelta
    from types import SimpleNamespace

    from django.utils import timezone

    from sharewise.governance import actions, learning, meetings, supervision
    from sharewise.governance.models import (
        AuditRun,
        EvidencePack,
        Finding,
        Sample,
        SampleItem,
    )
    from sharewise.policy import store

    def by(user):
        return SimpleNamespace(user=user, META={})

    version, _ = store.in_force(cast.org.pk, "governance")
    month_ago = cast.today - timedelta(days=30)
    cast.audit_run = AuditRun.objects.create(
        organisation=cast.org,
        period_from=month_ago,
        period_to=cast.today,
        policy_version=version,
        status="done",
        counts={"concern_reviewed_late": 1},
    )
    cast.finding = Finding.objects.create(
        organisation=cast.org,
        run=cast.audit_run,
        criterion="concern_reviewed_late",
        title="Concern reviewed late",
        severity="moderate",
        summary="Waiting past its review time.",
        record_type="concern",
        record_id=cast.concern.pk,
        person=cast.alice,
        team=cast.night,
    )
    cast.action = actions.add(
        by(cast.sarah),
        cast.org.pk,
        "Review the night team's waiting concerns",
        cast.helen,
        cast.today + timedelta(days=7),
        finding=cast.finding,
    )
    cast.sample = Sample.objects.create(
        organisation=cast.org,
        kind="concerns",
        period_from=month_ago,
        period_to=cast.today,
        size=1,
        seed=1,
        drawn_by=cast.grace,
        policy_version=version,
    )
    cast.sample_item = SampleItem.objects.create(
        sample=cast.sample, record_id=cast.concern.pk, person=cast.alice
    )
    cast.meeting = meetings.schedule(by(cast.sarah), cast.org.pk, timezone.now())
    cast.supervision = supervision.record(
        by(cast.helen),
        cast.org.pk,
        cast.nia,
        {
            "responses": {"0": "Could be neglect at night."},
            "reflection": "I recorded what I saw, not what Alice said.",
            "learning": "Write down the person's own words.",
        },
    )
    cast.lesson = learning.record(
        by(cast.sarah),
        cast.org.pk,
        {
            "title": "Refusals accepted without escalation",
            "source": "audit",
            "what_happened": "Refusals were accepted on every shift and nobody escalated.",
            "failure_pattern": "consent",
            "measure": "refusals_reviewed",
            "changed_on": month_ago,
        },
    )
    cast.pack = EvidencePack.objects.create(
        organisation=cast.org,
        period_from=month_ago,
        period_to=cast.today,
        requested_by=cast.sarah,
        status="done",
        progress=100,
        html="<p>Evidence</p>",
        pdf=b"%PDF-1.4 evidence",
    )


def _training_records(cast):
    """Sarah's assignment of the recording standards to read, to the Night team."""
    from datetime import timedelta
    from types import SimpleNamespace

    from sharewise.training import assignments

    cast.training_assignment = assignments.assign(
        SimpleNamespace(user=cast.sarah, META={}),
        organisation_id=cast.org.pk,
        what="policy",
        policy_kind="recording",
        due=cast.today + timedelta(days=14),
        team_ids=[cast.night.pk],
    )


def _retention_records(cast):
    """A legal hold on Bob's records (Sarah's), and a proposal to destroy Dennis's
    records, waiting for the officer (not yet due: he left 30 days ago)."""
    from sharewise.policy import store
    from sharewise.retention.models import Destruction, LegalHold

    cast.hold = LegalHold.objects.create(
        organisation=cast.org, person=cast.bob, reason="Inquest", placed_by=cast.sarah
    )
    cast.destruction = Destruction.objects.create(
        organisation=cast.org,
        proposed_by=cast.sarah,
        policy_version=store.in_force(cast.org.pk, "retention")[0],
    )
    cast.destruction.people.set([cast.dennis])


def _rights_records(cast):
    """Alice's subject access request, her identity checked and the response prepared
    (not yet approved), and her request to correct the first concern."""
    from types import SimpleNamespace

    from sharewise.rights import operations

    def by(user):
        return SimpleNamespace(user=user, META={})

    cast.sar = operations.log_request(
        by(cast.david),
        cast.alice,
        {
            "requester": "person",
            "requester_name": "Alice Moore",
            "contact": "Room 4, Rose House",
            "received_on": cast.today,
        },
    )
    operations.check_identity(by(cast.sarah), cast.sar, "Known to staff")
    cast.sar = operations.prepare(by(cast.sarah), cast.sar)
    cast.rectification = operations.log_rectification(
        by(cast.david),
        cast.alice,
        {
            "requester_name": "Alice Moore",
            "received_on": cast.today,
            "concern_id": cast.concern.pk,
            "what_is_wrong": "The call bell was in reach that evening",
        },
    )


def _practice_answers():
    from sharewise.training.tests.practice_helpers import right_choices

    _, chosen = right_choices("refused_emotional_abuse")
    return {"answers": chosen["answers"], "decision": chosen["decision"]}


def _practice_records(cast):
    """Nia's finished attempt at a practice case."""
    from sharewise.training.models import Attempt

    cast.practice_attempt = Attempt.objects.create(
        organisation=cast.org,
        staff=cast.nia,
        case_code="refused_emotional_abuse",
        case_title="Margaret says no",
        case_digest="0" * 64,
        score=100,
        finished_at=timezone.now(),
    )


def build_world(cast):
    """The records every route of the matrix is tried on (see the module docstring),
    added to the cast; returns (users by role, their API tokens, Tom's break-glass
    grant). Other tests that visit every page reuse it, with page_path()."""
    cast.concern = record_concern(cast)  # by Nia, about Alice, on the Night team
    # Two more make a cumulative alert about Alice, which Helen (Rose House) sees too.
    record_concern(cast, days_ago=3)
    record_concern(cast, days_ago=5)
    cast.alert = Alert.objects.get(rule="cumulative", subject=f"person:{cast.alice.pk}")
    cast.import_job = ImportJob.objects.create(
        organisation=cast.org, created_by=cast.sarah, file_name="log.csv", status="done"
    )
    cast.merge = _record_merged_into_alice(cast)
    # Owen asks that Tom become an auditor, waiting for the lead or the officer.
    cast.role_request = RoleRequest.objects.create(
        user=cast.tom, organisation=cast.org, role="auditor", requested_by=cast.owen
    )
    cast.identity_link = SingleSignOnIdentity.objects.create(
        user=cast.tom, issuer="https://id.oakleigh.example", subject="tom", linked_by=cast.owen
    )
    _sharing_records(cast)
    _governance_records(cast)
    _training_records(cast)
    _retention_records(cast)
    _rights_records(cast)
    _practice_records(cast)
    users = {name: getattr(cast, name) for name in ROLES if name != "anonymous"}
    # Made just after proving who they are, as the most serious API actions need.
    tokens = {
        user: ApiToken.issue(user, "test", confirmed_at=timezone.now()) for user in users.values()
    }
    cast.nias_other_session = SignedInSession.objects.create(
        user=cast.nia, session_key="nia-on-another-computer"
    )
    grant = BreakGlassAccess.objects.create(
        user=cast.tom,
        person=cast.alice,
        reason="Covering a night shift",
        session_key="matrix-session",
    )
    return users, tokens, grant


def page_path(cast, name, user, grant, tokens, routes=None):
    """The path of page route `name` as `user` would open it in the matrix."""
    routes = routes or page_routes()
    ids = _ids(cast, user, grant, tokens)
    return reverse(name, kwargs={param: ids[param] for param in routes[name]})


def pages_seen(prefer=ROLES, every_role=False, routes=None):
    """(URL name, role) for every page route and a role in the cast who may open it
    (GET answers 200 in the matrix): the first such in `prefer`, or each of them with
    every_role. A new route is covered as soon as it has its row."""
    routes = routes or page_routes()
    seen = []
    for (name, method), row in PAGE_MATRIX.items():
        if method != "GET" or name not in routes:
            continue
        allowed = {role for role, expected in zip(ROLES, row, strict=True) if expected == 200}
        chosen = [role for role in prefer if role in allowed]
        seen.extend((name, role) for role in (chosen if every_role else chosen[:1]))
    return seen


# The matrix runs in parts of about the same length, each on a world of its own, so
# pytest-xdist's workers share it out. One world takes a few seconds; a role's column
# up to half a minute (the manager's and the lead's longest, not signed in shortest).
MATRIX_PARTS = {
    "nia-tom": ("nia", "tom"),
    "helen-sarah": ("helen", "sarah"),
    "david-olivia": ("david", "olivia"),
}
MATRIX_PARTS["everyone-else"] = tuple(
    role for role in ROLES if not any(role in part for part in MATRIX_PARTS.values())
)


@pytest.mark.slow
@pytest.mark.parametrize("roles", MATRIX_PARTS.values(), ids=MATRIX_PARTS.keys())
def test_permission_matrix(cast, roles):
    users, tokens, grant = build_world(cast)
    # Signed in once per role; the API client sends a bearer token and no session.
    browsers = {None: Client()}
    for user in users.values():
        browsers[user] = signed_in(user)
    api_client = Client()
    routes = page_routes()
    mismatches = []
    cases = 0

    def check(where, role, expected, response, extra=None):
        actual = _status(response)
        if actual != expected:
            mismatches.append(f"{where:50} {role:10} expected {expected}, got {actual}")
        elif extra:
            mismatches.append(f"{where:50} {role:10} {extra}")

    bodies = page_bodies(cast)
    for (name, method), row in PAGE_MATRIX.items():
        if name not in routes:
            continue  # reported by test_every_route_and_api_operation_has_expected_outcomes
        for role, expected in zip(ROLES, row, strict=True):
            if role not in roles:
                continue
            user = users.get(role)
            ids = _ids(cast, user, grant, tokens)
            kwargs = {param: ids[param] for param in routes[name]}
            path = reverse(name, kwargs=kwargs)
            response = _call(browsers[user], method, path, bodies.get((name, method)))
            cases += 1
            extra = None
            if (
                role == "anonymous"
                and _status(response) == 302
                and not response["Location"].startswith(reverse("login"))
            ):
                extra = f"redirected to {response['Location']}, not to sign in"
            check(f"{method} {name} {path}", role, expected, response, extra)
            if expected == 404 and "person_id" in kwargs and not extra:
                # out of scope must look exactly like a record that does not exist
                missing = reverse(name, kwargs={**kwargs, "person_id": NO_SUCH_ID})
                check(
                    f"{method} {name} {missing} (no such person)",
                    role,
                    404,
                    _call(browsers[user], method, missing, bodies.get((name, method))),
                )

    bodies = api_bodies(cast)
    operations = api_operations()
    for operation, row in API_MATRIX.items():
        if operation not in operations:
            continue  # reported by test_every_route_and_api_operation_has_expected_outcomes
        method, template = operation.split(" ", 1)
        for role, expected in zip(ROLES, row, strict=True):
            if role not in roles:
                continue
            user = users.get(role)
            secret = tokens[user][1] if user else None
            path = template.format(**_ids(cast, user, grant, tokens))
            body = bodies.get(operation)
            response = _call(api_client, method, path, body, secret=secret, json_body=True)
            cases += 1
            extra = None
            if not isinstance(response, Exception):
                extra = _api_error_problem(response)
            check(operation, role, expected, response, extra)
            if expected == 404 and "{person_id}" in template and not extra:
                missing = template.format(person_id=NO_SUCH_ID)
                other = _call(api_client, method, missing, body, secret=secret, json_body=True)
                if _status(other) != 404 or other.json() != response.json():
                    mismatches.append(
                        f"{operation:50} {role:10} out of scope answers "
                        f"{response.status_code} {response.content!r} but no such person "
                        f"answers {_status(other)} {getattr(other, 'content', b'')!r}"
                    )

    if mismatches:
        pytest.fail(
            f"{len(mismatches)} of {cases} route x role cases differ from the matrix "
            "(route, role, expected, actual):\n" + "\n".join(mismatches),
            pytrace=False,
        )


# The scope behind the 200s and 404s above, person by person.

EVERYONE_AT_OAKLEIGH = {"alice", "bob", "carol", "dennis", "edna", "fiona"}
SEES = {
    "nia": {"alice"},  # Night team; Edna left it 200 days ago
    "tom": {"bob", "dennis"},  # Day team; Dennis left it 30 days ago
    "helen": {"alice", "bob", "dennis"},  # all of Rose House
    "sarah": EVERYONE_AT_OAKLEIGH,
    "david": EVERYONE_AT_OAKLEIGH,
    "grace": set(),
    "owen": set(),
    "olivia": {"zara"},
}
PEOPLE = (*sorted(EVERYONE_AT_OAKLEIGH), "zara")


def test_each_role_sees_exactly_the_people_they_need_to_know_about(cast, api):
    wrong = []
    for role, expected in SEES.items():
        caller = api(getattr(cast, role))
        listed = {
            p["name"].split()[0].lower()
            for p in caller.get("/api/v1/people?page_size=100").json()["results"]
        }
        if listed != expected:
            wrong.append(f"{role} lists {sorted(listed)}, expected {sorted(expected)}")
        for name in PEOPLE:
            status = caller.get(f"/api/v1/people/{getattr(cast, name).pk}").status_code
            if status != (200 if name in expected else 404):
                wrong.append(f"{role} opening {name}: {status}")
    assert not wrong, "\n".join(wrong)


def test_organisation_lists_stay_inside_the_callers_organisation(cast, api):
    olivia = api(cast.olivia)
    assert [s["name"] for s in olivia.get("/api/v1/services").json()] == ["Elm Court"]
    assert [t["name"] for t in olivia.get("/api/v1/teams").json()] == ["Elm team"]
    assert [u["username"] for u in olivia.get("/api/v1/staff").json()] == ["olivia"]
    teams = api(cast.nia).get(f"/api/v1/teams?service={cast.other_service.pk}").json()
    assert teams == []
    assert "olivia" not in {u["username"] for u in api(cast.owen).get("/api/v1/staff").json()}


def test_nobody_can_revoke_someone_elses_api_token(cast, as_user):
    token, _ = ApiToken.issue(cast.nia, "Nia's script")
    for role in ("tom", "helen", "sarah", "owen", "olivia"):
        response = as_user(getattr(cast, role)).post(f"/account/api-tokens/{token.pk}/revoke/")
        assert response.status_code == 404, role
    token.refresh_from_db()
    assert token.revoked_at is None
