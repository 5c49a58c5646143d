from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "sharewise.security"
    label = "security"
    verbose_name = "Defences"

    def ready(self):
        from django.core.signals import got_request_exception
        from django_tasks_db.compat import task_finished

        from sharewise.security import errors, requestlog

        got_request_exception.connect(errors.count_server_error, dispatch_uid="count_errors")
        task_finished.connect(requestlog.log_task_finished, dispatch_uid="log_tasks")
