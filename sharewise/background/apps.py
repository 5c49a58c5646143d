from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    name = "sharewise.background"
    label = "background"
    verbose_name = "Background work"
