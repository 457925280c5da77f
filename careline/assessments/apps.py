from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "careline.assessments"
    label = "assessments"
    verbose_name = "Triage results"
