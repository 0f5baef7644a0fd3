from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_register(sender: AppConfig, **kwargs: object) -> None:
    # Imported when the signal fires: the register reads models, which exist only once the
    # app registry is ready.
    from samen.core.register import register_load_initial

    register_load_initial(using=str(kwargs.get("using", "default")))


class CoreConfig(AppConfig):
    name = "samen.core"
    # The label stays "sharing": the tables (sharing_auditentry, ...), the migration history and
    # the audit trail's trigger were created under it, and other apps' migrations depend on
    # ("sharing", ...). Renaming it needs a state-only migration of its own (ADR 0031).
    label = "sharing"
    verbose_name = "Access core and audit"

    def ready(self) -> None:
        post_migrate.connect(_load_register, sender=self)
        # Registers the system checks; they read the policy, which reads models.
        from samen.core import checks  # noqa: F401
