from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "sharewise.disclosures"
    verbose_name = "Referrals and disclosures"

    def ready(self):
        from sharewise.disclosures import rules  # noqa: F401
