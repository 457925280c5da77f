from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "careline.accounts"
    label = "accounts"
    verbose_name = "Accounts"
