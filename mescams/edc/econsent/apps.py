from django.apps import AppConfig


class EconsentConfig(AppConfig):
    name = "mescams.edc.econsent"
    label = "econsent"
    verbose_name = "Electronic consent"
