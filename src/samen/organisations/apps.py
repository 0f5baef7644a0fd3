from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_reference(sender: AppConfig, **kwargs: object) -> None:
    # After every migrate and every test-database flush: the municipalities are reference data
    # that every other table leans on.
    from samen.organisations.reference import load_reference

    load_reference(using=kwargs.get("using", "default"))


class OrganisationsConfig(AppConfig):
    name = "samen.organisations"
    verbose_name = "Organisations"

    def ready(self) -> None:
        post_migrate.connect(_sync_reference, sender=self)
