from django.apps import AppConfig


class AuditTrailConfig(AppConfig):
    name = "sharewise.audittrail"
    label = "audittrail"
    verbose_name = "Audit trail"
