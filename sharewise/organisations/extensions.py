"""How an app adds to pages or commands of the apps it builds on without those apps
importing it: by a module and function name, found through the app registry."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps


def hooks(module: str, function: str, *, skip_label: str = ""):
    """Each installed Sharewise app's <app>.<module>.<function>, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        name = f"{config.name}.{module}"
        if config.name.startswith("sharewise.") and config.label != skip_label and find_spec(name):
            found = getattr(import_module(name), function, None)
            if found:
                yield found
