from django.apps import AppConfig


class CrfsConfig(AppConfig):
    name = "mescams.edc.crfs"
    label = "crfs"
    verbose_name = "Case report forms"
