from django.contrib import admin
from django.http import HttpRequest

from careline.followup.models import SuccessStory, Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """Read-only: surveys change only through careline.followup.services (one-time answers)."""

    list_display = ("id", "conversation", "delivery", "sent_at", "expires_at", "used_at", "score")
    list_filter = ("delivery", "score")
    # The nonce is half of a live link: not shown.
    exclude = ("nonce",)
    readonly_fields = [f.name for f in Survey._meta.fields if f.name != "nonce"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SuccessStory)
class SuccessStoryAdmin(admin.ModelAdmin):
    """Read-only: stories are reviewed at /stories/, which records each step in the case."""

    list_display = ("id", "conversation", "status", "consent_at", "approved_by", "updated_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in SuccessStory._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
