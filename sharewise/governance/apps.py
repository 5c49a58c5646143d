from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "sharewise.governance"
    verbose_name = "Audits, oversight and learning"

    def ready(self):
        from sharewise.governance import rules  # noqa: F401
