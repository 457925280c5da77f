from django.apps import AppConfig


class AssignmentConfig(AppConfig):
    name = "careline.assignment"
    label = "assignment"
    verbose_name = "Assignment"
