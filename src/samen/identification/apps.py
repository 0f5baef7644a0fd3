from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_path_definitions(sender: AppConfig, **kwargs: object) -> None:
    # The path's rules are versioned data files; syncing after every migrate brings a new version
    # (say, a fourth identifying party) to every installation without a data migration.
    from samen.identification.definitions import path_definitions_sync

    path_definitions_sync(using=str(kwargs.get("using", "default")))


class IdentificationConfig(AppConfig):
    name = "samen.identification"
    verbose_name = "Identification"

    def ready(self) -> None:
        post_migrate.connect(_sync_path_definitions, sender=self)
        # Registers the path's relations with the access core and provides signalling's hook
        # (samen.hooks); imported here because they read models, which load only once the
        # registry is ready.
        from samen.identification import providers, relations  # noqa: F401
