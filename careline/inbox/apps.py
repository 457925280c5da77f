from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "careline.inbox"
    label = "inbox"
    verbose_name = "Inbox"
