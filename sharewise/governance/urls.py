from django.urls import path

from sharewise.governance import views

urlpatterns = [
    path("governance/", views.hub, name="governance"),
    path("governance/audits/", views.audit_list, name="audits"),
    path("governance/audits/<int:run_id>/", views.audit_page, name="audit"),
    path("governance/findings/<int:finding_id>/", views.finding_page, name="finding"),
    path("governance/actions/", views.action_list, name="actions"),
    path("governance/actions/<int:action_id>/", views.action_page, name="action"),
    path("governance/samples/new/", views.new_sample, name="new_sample"),
    path("governance/samples/<int:sample_id>/", views.sample_page, name="sample"),
    path("governance/samples/records/<int:item_id>/", views.sample_item, name="sample_item"),
    path("governance/meetings/", views.meeting_list, name="meetings"),
    path("governance/meetings/<int:meeting_id>/", views.meeting_page, name="meeting"),
    path(
        "governance/meetings/<int:meeting_id>/sign-off/",
        views.sign_off_meeting,
        name="sign_off_meeting",
    ),
    path("governance/supervision/", views.supervision_list, name="supervision"),
    path("supervision/", views.my_supervision, name="my_supervision"),
    path(
        "governance/supervision/staff/<int:user_id>/",
        views.new_supervision,
        name="new_supervision",
    ),
    path(
        "governance/supervision/<int:session_id>/",
        views.supervision_session,
        name="supervision_session",
    ),
    path("governance/learning/", views.lesson_list, name="lessons"),
    path("governance/learning/new/", views.new_lesson, name="new_lesson"),
    path("governance/learning/<int:lesson_id>/", views.lesson_page, name="lesson"),
    path("governance/evidence-packs/", views.evidence_list, name="evidence_packs"),
    path("governance/evidence-packs/<int:pack_id>/", views.evidence_page, name="evidence_pack"),
    path(
        "governance/evidence-packs/<int:pack_id>/pdf/",
        views.evidence_download,
        {"form": "pdf"},
        name="evidence_pack_pdf",
    ),
    path(
        "governance/evidence-packs/<int:pack_id>/html/",
        views.evidence_download,
        {"form": "html"},
        name="evidence_pack_html",
    ),
]
