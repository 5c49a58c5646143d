from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "sharewise.organisations"
    label = "organisations"

    def ready(self):
        from sharewise.organisations import (
            sessions,
            single_sign_on,  # noqa: F401 (registers its checks)
        )

        sessions.connect()
