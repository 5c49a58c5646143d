from django.urls import path

from sharewise.sharing.views import advice, decisions, records, wizard

urlpatterns = [
    path("people/<int:person_id>/sharing/", records.person_sharing, name="person_sharing"),
    path("people/<int:person_id>/consent/new/", records.record_consent, name="record_consent"),
    path("people/<int:person_id>/capacity/new/", records.record_capacity, name="record_capacity"),
    path(
        "people/<int:person_id>/sharing-decisions/new/",
        wizard.start_decision,
        name="start_decision",
    ),
    path("capacity-assessments/<int:assessment_id>/", records.capacity_page, name="capacity"),
    path("sharing/drafts/<int:draft_id>/<slug:step>/", wizard.wizard_step, name="wizard_step"),
    path("sharing/", decisions.sharing_work, name="sharing_work"),
    path("sharing-decisions/<int:decision_id>/", decisions.decision_page, name="sharing_decision"),
    path(
        "sharing-decisions/<int:decision_id>/countersign/",
        decisions.countersign,
        name="countersign_decision",
    ),
    path(
        "sharing-decisions/<int:decision_id>/amend/",
        decisions.amend_decision,
        name="amend_decision",
    ),
    path("advice/new/", advice.ask_advice, name="ask_advice"),
    path("advice/<int:advice_id>/", advice.advice_page, name="advice"),
]
