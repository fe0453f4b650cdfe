from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "mescams.edc.api"
    label = "api"
    verbose_name = "JSON API (idempotent replays)"
