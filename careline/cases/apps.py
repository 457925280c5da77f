from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "careline.cases"
    label = "cases"
    verbose_name = "Cases"
