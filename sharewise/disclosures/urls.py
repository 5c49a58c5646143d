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
    path(
        "referrals/<int:referral_id>/delivery/",
        views.referral_delivery,
        name="referral_delivery",
    ),
    path(
        "referrals/<int:referral_id>/confirm-submitted/",
        views.confirm_submitted,
        name="confirm_submitted",
    ),
    path("referrals/<int:referral_id>/reopen/", views.reopen_referral, name="reopen_referral"),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.add_partner, name="add_partner"),
    path("partners/<int:partner_id>/", views.edit_partner, name="edit_partner"),
    path("partners/<int:partner_id>/retire/", views.retire_partner, name="retire_partner"),
    path("account/contact-details/", views.contact_details, name="contact_details"),
    path("disclosures/", views.disclosure_log, name="disclosure_log"),
    path("disclosures/<int:disclosure_id>/", views.disclosure_page, name="disclosure"),
    path("disclosures/<int:disclosure_id>/pdf/", views.disclosure_pdf, name="disclosure_pdf"),
    path(
        "people/<int:person_id>/disclosures/", views.person_disclosures, name="person_disclosures"
    ),
]
