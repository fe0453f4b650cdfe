from django.apps import AppConfig


class I18nConfig(AppConfig):
    name = "mescams.edc.i18n"
    label = "i18n"
    verbose_name = "Languages"
