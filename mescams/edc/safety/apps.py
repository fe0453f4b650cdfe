from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "mescams.edc.safety"
    label = "safety"
    verbose_name = "Safety reporting"
