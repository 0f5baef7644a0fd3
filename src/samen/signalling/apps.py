from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_reference_data(sender: AppConfig, **kwargs: object) -> None:
    # Signal lists are versioned data files; keeping the tables in step after every migrate means a
    # new version of a list reaches every installation without a hand-written data migration.
    from samen.signalling.lists import signal_lists_sync

    signal_lists_sync(using=kwargs.get("using", "default"))


class SignallingConfig(AppConfig):
    name = "samen.signalling"
    verbose_name = "Signalling"

    def ready(self) -> None:
        post_migrate.connect(_sync_reference_data, sender=self)
        # Provides the case register's hooks (samen.hooks); imported here because it reads
        # models, which load only once the registry is ready.
        from samen.signalling import providers  # noqa: F401
