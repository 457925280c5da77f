from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "careline.web"
    label = "careline_web"
