from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "samen.sharing"
    verbose_name = "Sharing and audit"
