from django.urls import path

from sharewise.rights import views

urlpatterns = [
    path("subject-access/", views.request_list, name="subject_access_requests"),
    path("people/<int:person_id>/subject-access/", views.person_requests, name="person_rights"),
    path(
        "people/<int:person_id>/subject-access/new/",
        views.new_request,
        name="new_subject_access_request",
    ),
    path("subject-access/<int:sar_id>/", views.request_page, name="subject_access_request"),
    path("subject-access/<int:sar_id>/identity/", views.check_identity, name="sar_identity"),
    path("subject-access/<int:sar_id>/extend/", views.extend_request, name="sar_extend"),
    path("subject-access/<int:sar_id>/prepare/", views.prepare_request, name="sar_prepare"),
    path("subject-access/<int:sar_id>/approve/", views.approve_request, name="sar_approve"),
    path("subject-access/<int:sar_id>/send/", views.send_request, name="sar_send"),
    path("subject-access/<int:sar_id>/close/", views.close_request, name="sar_close"),
    path("subject-access/<int:sar_id>/preview/", views.export_preview, name="sar_preview"),
    path(
        "subject-access/<int:sar_id>/export.<str:form>",
        views.export_download,
        name="sar_export",
    ),
    path(
        "people/<int:person_id>/rectifications/new/",
        views.new_rectification,
        name="new_rectification",
    ),
    path(
        "rectifications/<int:rectification_id>/",
        views.rectification_page,
        name="rectification",
    ),
    path(
        "rectifications/<int:rectification_id>/correct/",
        views.correct_record,
        name="rectification_correct",
    ),
    path(
        "rectifications/<int:rectification_id>/refuse/",
        views.refuse_rectification,
        name="rectification_refuse",
    ),
]
