from django.apps import AppConfig
from django.core import checks


class StatisticsConfig(AppConfig):
    name = "samen.statistics"
    label = "samen_statistics"  # "statistics" alone would shadow nothing, but reads as stdlib
    verbose_name = "Statistics"

    def ready(self) -> None:
        checks.register(check_release_periods)


def check_release_periods(**kwargs: object) -> list[checks.CheckMessage]:
    """Refuse at start-up a period configuration the module cannot release safely."""
    from django.core.exceptions import ImproperlyConfigured

    # apps.py loads before the models; the periods read the selectors, which import models.
    from samen.statistics.periods import config

    try:
        config()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="samen_statistics.E001")]
    return []
