"""Assignments and policy read receipts."""

from sharewise.api.training.common import router  # noqa: F401
