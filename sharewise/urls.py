from django.contrib.auth import views as auth_views
from django.urls import include, path

from sharewise.api.urls import api
from sharewise.concerns import import_views as imports
from sharewise.concerns import views as concerns
from sharewise.organisations import approval_views as approvals
from sharewise.organisations import session_views as own_account
from sharewise.organisations import single_sign_on
from sharewise.organisations import views as organisations
from sharewise.people import views as people
from sharewise.policy import views as policy
from sharewise.security import views as security

urlpatterns = [
    path("", organisations.home, name="home"),
    path("sign-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "sign-in/single-sign-on/",
        single_sign_on.StartSingleSignOn.as_view(),
        name="single_sign_on",
    ),
    path(
        "sign-in/single-sign-on/callback/",
        single_sign_on.FinishSingleSignOn.as_view(),
        name="single_sign_on_callback",
    ),
    path("", include("sharewise.organisations.account_urls")),
    path("people/", people.my_people, name="my_people"),
    path("people/new/", people.add_person, name="add_person"),
    path("people/duplicates/", people.possible_duplicates, name="possible_duplicates"),
    path("people/<int:person_id>/merge/<int:other_id>/", people.merge_people, name="merge_people"),
    path("people/merges/<int:merge_id>/undo/", people.undo_merge, name="undo_merge"),
    path("people/<int:person_id>/", people.person_page, name="person"),
    path("people/<int:person_id>/enrolments/new/", people.add_enrolment, name="add_enrolment"),
    path("people/<int:person_id>/break-glass/", people.break_glass, name="break_glass"),
    path("people/<int:person_id>/concerns/new/", concerns.record_concern, name="record_concern"),
    path(
        "people/<int:person_id>/concerns/new/draft/",
        concerns.save_concern_draft,
        name="save_concern_draft",
    ),
    path("people/<int:person_id>/chronology/", concerns.person_chronology, name="chronology"),
    path("concerns/<int:concern_id>/", concerns.concern_page, name="concern"),
    path("concerns/<int:concern_id>/amend/", concerns.amend_concern, name="amend_concern"),
    path("concerns/<int:concern_id>/review/", concerns.review_concern, name="review_concern"),
    path("reviews/", concerns.review_queue, name="review_queue"),
    path("imports/new/", imports.import_new, name="import_new"),
    path("imports/columns/", imports.import_columns, name="import_columns"),
    path("imports/<int:job_id>/", imports.import_job, name="import_job"),
    path("break-glass/", people.break_glass_review, name="break_glass_review"),
    path(
        "break-glass/<int:grant_id>/review/", people.review_break_glass, name="review_break_glass"
    ),
    path("", include("sharewise.audittrail.urls")),
    path("policy/<slug:kind>/", policy.edit_policy, name="edit_policy"),
    path("policy/<slug:kind>/export/", policy.export_policy, name="export_policy"),
    path("policy/<slug:kind>/import/", policy.import_policy, name="import_policy"),
    path("policy/<slug:document>/read/", policy.read_policy, name="read_policy"),
    path("organisation/", organisations.organisation, name="organisation"),
    path("organisation/services/new/", organisations.edit_service, name="add_service"),
    path(
        "organisation/services/<int:service_id>/", organisations.edit_service, name="edit_service"
    ),
    path("organisation/teams/new/", organisations.edit_team, name="add_team"),
    path("organisation/teams/<int:team_id>/", organisations.edit_team, name="edit_team"),
    path("organisation/staff/", organisations.staff_list, name="staff_list"),
    path("organisation/staff/new/", organisations.add_staff, name="add_staff"),
    path("organisation/staff/<int:user_id>/", organisations.staff_member, name="staff_member"),
    path("organisation/staff/<int:user_id>/roles/", organisations.add_role, name="add_role"),
    path(
        "organisation/staff/<int:user_id>/single-sign-on/",
        organisations.single_sign_on_identity,
        name="single_sign_on_identity",
    ),
    path(
        "organisation/staff/<int:user_id>/second-factors/reset/",
        organisations.reset_second_factors,
        name="reset_second_factors",
    ),
    path(
        "organisation/staff/<int:user_id>/password/",
        organisations.set_temporary_password,
        name="set_temporary_password",
    ),
    path(
        "organisation/staff/<int:user_id>/roles/<int:membership_id>/remove/",
        organisations.remove_role,
        name="remove_role",
    ),
    path("organisation/role-requests/", approvals.role_requests, name="role_requests"),
    path(
        "organisation/sign-in-links/<int:link_id>/approve/",
        approvals.approve_identity_link,
        name="approve_identity_link",
    ),
    path(
        "organisation/sign-in-links/<int:link_id>/decline/",
        approvals.decline_identity_link,
        name="decline_identity_link",
    ),
    path(
        "organisation/role-requests/<int:request_id>/approve/",
        approvals.approve_role_request,
        name="approve_role_request",
    ),
    path(
        "organisation/role-requests/<int:request_id>/decline/",
        approvals.decline_role_request,
        name="decline_role_request",
    ),
    path("account/api-tokens/", own_account.api_tokens, name="api_tokens"),
    path(
        "account/api-tokens/<int:token_id>/revoke/",
        own_account.revoke_api_token,
        name="revoke_api_token",
    ),
    path("account/sessions/", own_account.my_sessions, name="my_sessions"),
    path(
        "account/sessions/<int:signed_in_id>/sign-out/",
        own_account.end_session,
        name="end_session",
    ),
    path(
        "account/sessions/sign-out-others/",
        own_account.end_other_sessions,
        name="end_other_sessions",
    ),
    path("account/sessions/still-here/", own_account.still_here, name="still_here"),
    path("", include("sharewise.patterns.urls")),
    path("", include("sharewise.sharing.urls")),
    path("", include("sharewise.disclosures.urls")),
    path("", include("sharewise.training.urls")),
    path("", include("sharewise.governance.urls")),
    path("", include("sharewise.retention.urls")),
    path("", include("sharewise.rights.urls")),
    path("api/v1/", api.urls),
    path("healthz", security.healthz, name="healthz"),
]
