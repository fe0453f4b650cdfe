from django.apps import AppConfig


class TrialConfig(AppConfig):
    name = "mescams.edc.trial"
    label = "trial"
    verbose_name = "Sites and participants"
