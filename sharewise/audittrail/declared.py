"""How apps above the trail declare what it needs from them, since it may import none
of them: a module of a known name in the app, found through Django's app registry."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps


def app_modules(module: str):
    """Each installed Sharewise app's <app>.<module>, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        name = f"{config.name}.{module}"
        if config.name.startswith("sharewise.") and find_spec(name):
            yield import_module(name)
