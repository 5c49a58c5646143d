from django.urls import path

from sharewise.sharing import views

urlpatterns = [
    path("people/<int:person_id>/sharing/", views.person_sharing, name="person_sharing"),
    path("people/<int:person_id>/consent/new/", views.record_consent, name="record_consent"),
    path("people/<int:person_id>/capacity/new/", views.record_capacity, name="record_capacity"),
    path(
        "people/<int:person_id>/sharing-decisions/new/",
        views.start_decision,
        name="start_decision",
    ),
    path("capacity-assessments/<int:assessment_id>/", views.capacity_page, name="capacity"),
    path("sharing/drafts/<int:draft_id>/<slug:step>/", views.wizard_step, name="wizard_step"),
    path("sharing/", views.sharing_work, name="sharing_work"),
    path("sharing-decisions/<int:decision_id>/", views.decision_page, name="sharing_decision"),
    path(
        "sharing-decisions/<int:decision_id>/countersign/",
        views.countersign,
        name="countersign_decision",
    ),
    path("sharing-decisions/<int:decision_id>/amend/", views.amend_decision, name="amend_decision"),
    path("advice/new/", views.ask_advice, name="ask_advice"),
    path("advice/<int:advice_id>/", views.advice_page, name="advice"),
]
