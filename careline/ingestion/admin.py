from django.contrib import admin

from careline.ingestion.models import InboundEvent


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    """Raw deliveries are evidence: readable here, never editable."""

    list_display = ("id", "channel", "source", "status", "attempts", "received_at", "last_error")
    list_filter = ("status", "source", "channel")
    readonly_fields = [f.name for f in InboundEvent._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
