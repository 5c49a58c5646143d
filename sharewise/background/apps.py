from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    name = "sharewise.background"
    label = "background"
    verbose_name = "Background work"

    def ready(self):
        # Each app's tasks.py says what its records need when a worker dies
        # (queue.watch); the worker must know before it recovers anything.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
