"""The concerns step of `manage.py sweep` (found by patterns.sweep through hooks): the
leads are chased, once, about an urgent concern whose review was missed."""

from sharewise.concerns import urgent


def due(organisation_id, now) -> list[tuple[str, int]]:
    return [
        ("urgent review(s) chased", urgent.chase(organisation_id, now)),
    ]
