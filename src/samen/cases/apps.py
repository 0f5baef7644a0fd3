from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_forms(sender: AppConfig, **kwargs: object) -> None:
    # Reference data is synced after every migrate (and every test-database flush), so a new
    # form of exploitation in the data file reaches every installation.
    from samen.cases.reference import exploitation_forms_sync

    exploitation_forms_sync(using=kwargs.get("using", "default"))


class CasesConfig(AppConfig):
    name = "samen.cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        post_migrate.connect(_sync_forms, sender=self)
        from samen.cases.models import ExploitationForm
        from samen.core.register import follow_writes

        # The forms' table renews the register's version (migration 0007): the API's list keeps
        # the forms under it (selectors._form_table).
        follow_writes(ExploitationForm)
