"""Assignments, policy read receipts and Your training."""

from django.urls import path

from sharewise.training.views import assignments

urlpatterns = [
    path("training/", assignments.your_training, name="your_training"),
    path("training/policies/<slug:kind>/", assignments.confirm_policy, name="confirm_policy"),
    path("training/assignments/", assignments.assignment_list, name="assignments"),
    path("training/assignments/new/", assignments.new_assignment, name="new_assignment"),
    path(
        "training/assignments/<int:assignment_id>/",
        assignments.assignment_page,
        name="assignment",
    ),
    path(
        "training/assignments/<int:assignment_id>/withdraw/",
        assignments.withdraw_assignment,
        name="withdraw_assignment",
    ),
]
