from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "sharewise.training"
    label = "training"
    verbose_name = "Training"

    def ready(self):
        from sharewise.training import listeners, rules  # noqa: F401

        listeners.connect()
