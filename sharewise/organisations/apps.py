from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "sharewise.organisations"
    label = "organisations"

    def ready(self):
        from sharewise.organisations import sessions

        sessions.connect()
