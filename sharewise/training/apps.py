from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "sharewise.training"
    label = "training"
    verbose_name = "Training"

    def ready(self):
        from sharewise.training import rules  # noqa: F401
