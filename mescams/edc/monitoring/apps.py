from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "mescams.edc.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring: source data verification, visits, notifications"
