from django.urls import path

from sharewise.audittrail import views

urlpatterns = [
    path("audit-trail/", views.trail_search, name="trail_search"),
]
