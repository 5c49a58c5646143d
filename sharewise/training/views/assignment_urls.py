"""Assignments, policy read receipts and Your training."""

urlpatterns = []
