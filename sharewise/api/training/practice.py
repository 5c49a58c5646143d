"""Practice cases and attempts."""

from sharewise.api.training.common import router  # noqa: F401
