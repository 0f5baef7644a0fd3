from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "samen.statistics"
    label = "samen_statistics"  # "statistics" alone would shadow nothing, but reads as stdlib
    verbose_name = "Statistics"
