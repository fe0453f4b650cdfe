from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "mescams.edc.web"
    label = "web"
    verbose_name = "MESCAMS web pages"
