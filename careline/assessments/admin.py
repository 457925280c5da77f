from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from careline.assessments.models import Assessment, Correction, Order, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "active", "ordering", "updated_at")
    list_filter = ("active",)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "email", "customer_name", "created_at", "total", "currency")
    list_filter = ("financial_status", "fulfillment_status")
    search_fields = ("number", "number_key", "email", "customer_name")


class ReadOnly(admin.ModelAdmin):
    """Triage results and corrections are written by the services only."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnly):
    list_display = ("message", "kind", "severity", "sentiment", "topic", "legitimacy")
    list_filter = ("kind", "severity_label", "sentiment", "legitimacy", "has_private_data")
    raw_id_fields = ("message",)


@admin.register(Correction)
class CorrectionAdmin(ReadOnly):
    list_display = ("message", "field", "old_value", "new_value", "actor", "created_at")
    list_filter = ("field",)
    raw_id_fields = ("message",)
