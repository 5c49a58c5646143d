"""The sharing step of `manage.py sweep` (found by patterns.sweep through hooks)."""

from sharewise.sharing import decisions


def due(organisation_id, now) -> list[tuple[str, int]]:
    return [("sharing decision review(s) due", decisions.reviews_due(organisation_id, now))]
