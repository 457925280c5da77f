from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "careline.escalations"
    label = "escalations"
    verbose_name = "Escalations"
