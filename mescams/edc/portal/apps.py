from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "mescams.edc.portal"
    label = "portal"
    verbose_name = "Participant portal"
