from django.contrib import admin

from careline.replies.models import DeliveryAttempt, OutboundMessage


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("started_at", "finished_at", "ok", "status_code", "error", "permanent")


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "status", "attempt_count", "created_at", "sent_at")
    list_filter = ("status", "channel")
    readonly_fields = [f.name for f in OutboundMessage._meta.fields]
    inlines = [AttemptInline]

    def has_add_permission(self, request: object) -> bool:
        return False
