from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "sharewise.retention"
    label = "retention"
    verbose_name = "Retention and destruction"

    def ready(self):
        from sharewise.retention import rules  # noqa: F401
