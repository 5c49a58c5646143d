from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "sharewise.security"
    label = "security"
    verbose_name = "Defences"

    def ready(self):
        from django.core.signals import got_request_exception

        from sharewise.security import errors

        got_request_exception.connect(errors.count_server_error, dispatch_uid="count_errors")
