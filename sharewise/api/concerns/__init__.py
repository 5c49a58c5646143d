"""Concerns through the API, as the pages offer them: recording, reading back,
amending and reviewing one (records), lists with filters and the review queue
(lists), and importing from CSV (imports). Each calls concerns.access and the
concerns operations, never a page's view."""

from ninja import Router

router = Router(tags=["Concerns"])

# Each module adds its operations to the router above.
from sharewise.api.concerns import imports, lists, records  # noqa: E402, F401
