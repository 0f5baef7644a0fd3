from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "samen.accounts"
    verbose_name = "Accounts"
