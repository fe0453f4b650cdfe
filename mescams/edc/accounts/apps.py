from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mescams.edc.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
