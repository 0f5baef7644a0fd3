from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_reference_data(sender: AppConfig, **kwargs: object) -> None:
    # Guides, trainings and the signal-list cards are data files; kept in step after every
    # migrate, with their search vectors.
    # Imported here: the models cannot load before the app registry is ready.
    from samen.knowledge.services import resources_sync

    resources_sync(using=kwargs.get("using", "default"))


class KnowledgeConfig(AppConfig):
    name = "samen.knowledge"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        post_migrate.connect(_sync_reference_data, sender=self)
