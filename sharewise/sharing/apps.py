from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharewise.sharing"
    verbose_name = "Sharing decisions"

    def ready(self):
        from sharewise.sharing import listeners, rules  # noqa: F401
