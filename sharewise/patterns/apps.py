from django.apps import AppConfig


class PatternsConfig(AppConfig):
    name = "sharewise.patterns"
    verbose_name = "Patterns and alerts"

    def ready(self):
        from sharewise.patterns import listeners  # noqa: F401
