from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "careline.demo"
    label = "careline_demo"
