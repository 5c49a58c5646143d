from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "sharewise.rights"
    verbose_name = "Subject access and rectification"

    def ready(self):
        from sharewise.rights import rules  # noqa: F401
