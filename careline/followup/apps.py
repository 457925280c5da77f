from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "careline.followup"
    label = "followup"
    verbose_name = "Followup"
