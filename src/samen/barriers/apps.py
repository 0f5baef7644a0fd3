from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_reference_data(sender: AppConfig, **kwargs: object) -> None:
    # Barrier models are versioned data files, like the signal lists: kept in step after every
    # migrate, so a revised model reaches every installation without a data migration.
    # Imported here: the models cannot load before the app registry is ready.
    from samen.barriers.loader import barrier_models_sync

    barrier_models_sync(using=kwargs.get("using", "default"))


class BarriersConfig(AppConfig):
    name = "samen.barriers"
    verbose_name = "Barrier models"

    def ready(self) -> None:
        post_migrate.connect(_sync_reference_data, sender=self)
