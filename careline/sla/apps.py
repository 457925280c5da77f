from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "careline.sla"
    label = "sla"
    verbose_name = "Sla"
