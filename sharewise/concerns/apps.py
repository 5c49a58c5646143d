from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "sharewise.concerns"
    label = "concerns"
