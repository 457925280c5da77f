from django.apps import AppConfig


class RepliesConfig(AppConfig):
    name = "careline.replies"
    label = "replies"
    verbose_name = "Replies"
