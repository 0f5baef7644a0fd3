from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "samen.demo"
    verbose_name = "Synthetic demo data"
