from django.apps import AppConfig


class RandomisationConfig(AppConfig):
    name = "mescams.edc.randomisation"
    label = "randomisation"
    verbose_name = "Randomisation"
