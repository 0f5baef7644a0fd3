from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_register(sender: AppConfig, **kwargs: object) -> None:
    from samen.sharing.register import register_load_initial

    register_load_initial(using=kwargs.get("using", "default"))


class SharingConfig(AppConfig):
    name = "samen.sharing"
    verbose_name = "Sharing and audit"

    def ready(self) -> None:
        post_migrate.connect(_load_register, sender=self)
