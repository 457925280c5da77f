from django.contrib import admin

from careline.replies.models import DeliveryAttempt, HeldReply, OutboundMessage, Playbook


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


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    """Read-only here: playbooks are edited at /settings/playbooks/, which records revisions."""

    list_display = ("name", "purpose", "kind", "topic", "active", "updated_at")
    list_filter = ("purpose", "kind", "active")
    readonly_fields = [f.name for f in Playbook._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(HeldReply)
class HeldReplyAdmin(admin.ModelAdmin):
    """Read-only: decisions go through /approvals/, which records them on the case."""

    list_display = ("id", "conversation", "author", "status", "created_at", "decided_by")
    list_filter = ("status",)
    readonly_fields = [f.name for f in HeldReply._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
