from django.urls import path

from sharewise.disclosures import views

urlpatterns = [
    path(
        "sharing-decisions/<int:decision_id>/referrals/new/",
        views.start_referral,
        name="start_referral",
    ),
    path("referrals/<int:referral_id>/", views.referral_page, name="referral"),
    path("referrals/<int:referral_id>/preview/", views.referral_preview, name="referral_preview"),
    path("referrals/<int:referral_id>/send/", views.send_referral, name="send_referral"),
    path("referrals/<int:referral_id>/ask-approval/", views.ask_approval, name="ask_approval"),
    path("referrals/<int:referral_id>/approve/", views.approve_referral, name="approve_referral"),
    path("disclosures/", views.disclosure_log, name="disclosure_log"),
    path("disclosures/<int:disclosure_id>/", views.disclosure_page, name="disclosure"),
    path("disclosures/<int:disclosure_id>/pdf/", views.disclosure_pdf, name="disclosure_pdf"),
    path(
        "people/<int:person_id>/disclosures/", views.person_disclosures, name="person_disclosures"
    ),
]
