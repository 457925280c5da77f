from django.contrib import admin

from careline.escalations.models import (
    Crisis,
    EscalationRuleSet,
    Notification,
    NotificationAttempt,
    NotificationTarget,
)


class AttemptInline(admin.TabularInline):
    model = NotificationAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("started_at", "finished_at", "ok", "status_code", "error", "permanent")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "target_name", "channel", "status", "attempt_count", "created_at")
    list_filter = ("status", "kind", "channel")
    readonly_fields = [f.name for f in Notification._meta.fields]
    inlines = [AttemptInline]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(EscalationRuleSet)
class EscalationRuleSetAdmin(admin.ModelAdmin):
    list_display = ("version", "created_by", "created_at", "note")
    readonly_fields = [f.name for f in EscalationRuleSet._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False  # saved through the rules page, which validates them

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(NotificationTarget)
class NotificationTargetAdmin(admin.ModelAdmin):
    list_display = ("name", "channel", "enabled", "updated_at")
    exclude = ("config",)  # addresses are edited on the settings page, validated there


@admin.register(Crisis)
class CrisisAdmin(admin.ModelAdmin):
    list_display = ("title", "topic", "started_at", "started_by", "ended_at")
