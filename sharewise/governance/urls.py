from django.urls import path

from sharewise.governance.views import (
    actions,
    assigning,
    audits,
    evidence,
    learning,
    meetings,
    supervision,
)

urlpatterns = [
    path("governance/", audits.hub, name="governance"),
    path("governance/audits/", audits.audit_list, name="audits"),
    path("governance/audits/<int:run_id>/", audits.audit_page, name="audit"),
    path("governance/findings/<int:finding_id>/", audits.finding_page, name="finding"),
    path("governance/actions/", actions.action_list, name="actions"),
    path("governance/actions/<int:action_id>/", actions.action_page, name="action"),
    path(
        "governance/actions/<int:action_id>/assign-training/",
        assigning.assign_from_action,
        name="action_assign_training",
    ),
    path("governance/samples/new/", audits.new_sample, name="new_sample"),
    path("governance/samples/<int:sample_id>/", audits.sample_page, name="sample"),
    path("governance/samples/records/<int:item_id>/", audits.sample_item, name="sample_item"),
    path("governance/meetings/", meetings.meeting_list, name="meetings"),
    path("governance/meetings/<int:meeting_id>/", meetings.meeting_page, name="meeting"),
    path(
        "governance/meetings/<int:meeting_id>/sign-off/",
        meetings.sign_off_meeting,
        name="sign_off_meeting",
    ),
    path("governance/supervision/", supervision.supervision_list, name="supervision"),
    path("supervision/", supervision.my_supervision, name="my_supervision"),
    path(
        "governance/supervision/staff/<int:user_id>/",
        supervision.new_supervision,
        name="new_supervision",
    ),
    path(
        "governance/supervision/<int:session_id>/",
        supervision.supervision_session,
        name="supervision_session",
    ),
    path("governance/learning/", learning.lesson_list, name="lessons"),
    path("governance/learning/new/", learning.new_lesson, name="new_lesson"),
    path("governance/learning/<int:lesson_id>/", learning.lesson_page, name="lesson"),
    path(
        "governance/learning/<int:lesson_id>/assign-training/",
        assigning.assign_from_lesson,
        name="lesson_assign_training",
    ),
    path("governance/evidence-packs/", evidence.evidence_list, name="evidence_packs"),
    path("governance/evidence-packs/<int:pack_id>/", evidence.evidence_page, name="evidence_pack"),
    path(
        "governance/evidence-packs/<int:pack_id>/pdf/",
        evidence.evidence_download,
        {"form": "pdf"},
        name="evidence_pack_pdf",
    ),
    path(
        "governance/evidence-packs/<int:pack_id>/html/",
        evidence.evidence_download,
        {"form": "html"},
        name="evidence_pack_html",
    ),
]
