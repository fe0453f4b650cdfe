from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "mescams.edc.coding"
    label = "coding"
    verbose_name = "Medical coding: MedDRA and WHODrug releases, coded terms, synonyms"
