from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "sharewise.policy"
    label = "policy"
