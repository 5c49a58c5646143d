"""The concerns step of `manage.py sweep` (found by patterns.sweep through hooks): an
import whose thread was lost to a restart is marked as stopped and its upload removed,
and the leads are chased, once, about an urgent concern whose review was missed."""

from sharewise.concerns import importjobs, urgent


def due(organisation_id, now) -> list[tuple[str, int]]:
    return [
        ("stopped import(s)", importjobs.give_up_stopped([organisation_id], now)),
        ("urgent review(s) chased", urgent.chase(organisation_id, now)),
    ]
