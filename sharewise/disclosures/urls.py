from django.urls import path

from sharewise.disclosures.views import agreements, disclosures, partners, referrals, told

urlpatterns = [
    path(
        "sharing-decisions/<int:decision_id>/referrals/new/",
        referrals.start_referral,
        name="start_referral",
    ),
    path("referrals/<int:referral_id>/", referrals.referral_page, name="referral"),
    path(
        "referrals/<int:referral_id>/preview/", referrals.referral_preview, name="referral_preview"
    ),
    path("referrals/<int:referral_id>/send/", referrals.send_referral, name="send_referral"),
    path("referrals/<int:referral_id>/ask-approval/", referrals.ask_approval, name="ask_approval"),
    path(
        "referrals/<int:referral_id>/approve/", referrals.approve_referral, name="approve_referral"
    ),
    path(
        "referrals/<int:referral_id>/delivery/",
        referrals.referral_delivery,
        name="referral_delivery",
    ),
    path(
        "referrals/<int:referral_id>/confirm-submitted/",
        referrals.confirm_submitted,
        name="confirm_submitted",
    ),
    path("referrals/<int:referral_id>/reopen/", referrals.reopen_referral, name="reopen_referral"),
    path("sharing-decisions/<int:decision_id>/told/new/", told.record_told, name="record_told"),
    path(
        "disclosures/<int:disclosure_id>/acknowledgement/",
        told.record_response,
        {"kind": "acknowledgement"},
        name="record_acknowledgement",
    ),
    path(
        "disclosures/<int:disclosure_id>/outcome/",
        told.record_response,
        {"kind": "outcome"},
        name="record_outcome",
    ),
    path("agreements/", agreements.agreement_list, name="agreement_list"),
    path("agreements/new/", agreements.add_agreement, name="add_agreement"),
    path("agreements/<int:agreement_id>/", agreements.agreement_page, name="agreement"),
    path(
        "agreements/<int:agreement_id>/retire/",
        agreements.retire_agreement,
        name="retire_agreement",
    ),
    path("partners/", partners.partner_list, name="partner_list"),
    path("partners/new/", partners.add_partner, name="add_partner"),
    path("partners/<int:partner_id>/", partners.edit_partner, name="edit_partner"),
    path("partners/<int:partner_id>/retire/", partners.retire_partner, name="retire_partner"),
    path("account/contact-details/", partners.contact_details, name="contact_details"),
    path("disclosures/", disclosures.disclosure_log, name="disclosure_log"),
    path("disclosures/<int:disclosure_id>/", disclosures.disclosure_page, name="disclosure"),
    path("disclosures/<int:disclosure_id>/pdf/", disclosures.disclosure_pdf, name="disclosure_pdf"),
    path(
        "people/<int:person_id>/disclosures/",
        disclosures.person_disclosures,
        name="person_disclosures",
    ),
]
