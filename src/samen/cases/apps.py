from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "samen.cases"
    verbose_name = "Cases"
