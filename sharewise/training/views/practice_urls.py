"""Practice cases and attempts."""

from django.urls import path

from sharewise.training.views import practice

urlpatterns = [
    path("training/practice/", practice.practice_list, name="practice"),
    path("training/practice/<slug:code>/", practice.practice_case, name="practice_case"),
    path("training/practice/<slug:code>/start/", practice.start_practice, name="start_practice"),
    path(
        "training/practice/attempts/<int:attempt_id>/",
        practice.practice_attempt,
        name="practice_attempt",
    ),
]
