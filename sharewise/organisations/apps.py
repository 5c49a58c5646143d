from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "sharewise.organisations"
    label = "organisations"
