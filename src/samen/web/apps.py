from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "samen.web"
    verbose_name = "Web interface"
