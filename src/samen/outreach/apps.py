from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "samen.outreach"
    verbose_name = "Online outreach"
