"""The concerns step of `manage.py sweep` (found by patterns.sweep through hooks): an
import whose thread was lost to a restart is marked as stopped and its upload removed."""

from sharewise.concerns import importjobs


def due(organisation_id, now) -> list[tuple[str, int]]:
    return [("stopped import(s)", importjobs.give_up_stopped([organisation_id], now))]
