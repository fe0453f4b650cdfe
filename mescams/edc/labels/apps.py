from django.apps import AppConfig


class LabelsConfig(AppConfig):
    name = "mescams.edc.labels"
    label = "labels"
    verbose_name = "Product labels"
