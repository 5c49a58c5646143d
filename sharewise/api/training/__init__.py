"""Practice cases and attempts, assignments and policy read receipts. The same
permissions and changes as the pages: sharewise.training's access module fetches, its
operations modules write; these handlers only translate."""

from sharewise.api.training import assignments, practice
from sharewise.api.training.common import router

__all__ = ["assignments", "practice", "router"]
