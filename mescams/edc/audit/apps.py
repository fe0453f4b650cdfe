from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "mescams.edc.audit"
    label = "audit"
    verbose_name = "Audit trail"
