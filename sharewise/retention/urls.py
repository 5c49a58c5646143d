from django.urls import path

from sharewise.retention import views

urlpatterns = [
    path("retention/", views.review_page, name="retention_review"),
    path(
        "retention/destructions/propose/",
        views.propose_destruction,
        name="propose_destruction",
    ),
    path(
        "retention/destructions/<int:destruction_id>/", views.destruction_page, name="destruction"
    ),
    path(
        "retention/destructions/<int:destruction_id>/certificate.pdf",
        views.destruction_certificate,
        name="destruction_certificate",
    ),
    path("people/<int:person_id>/legal-hold/", views.legal_hold, name="legal_hold"),
    path("retention/holds/<int:hold_id>/lift/", views.lift_legal_hold, name="lift_legal_hold"),
]
