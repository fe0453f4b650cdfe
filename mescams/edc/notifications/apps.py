from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "mescams.edc.notifications"
    label = "notifications"
    verbose_name = "E-mail notifications"
