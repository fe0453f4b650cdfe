from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "mescams.edc.federation"
    label = "federation"
    verbose_name = "Federated analysis"
