from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "samen.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from samen.accounts.oidc import checks  # noqa: F401  # registers the system check
