from django.apps import AppConfig


class QueriesConfig(AppConfig):
    name = "mescams.edc.queries"
    label = "queries"
    verbose_name = "Data management: queries, signatures, locks"
