from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from careline.accounts.models import ApiToken, Team, User


@admin.register(User)
class CarelineUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active", "teams")
    fieldsets = (*UserAdmin.fieldsets, ("careline", {"fields": ("role", "teams")}))  # type: ignore[misc]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "token_hash", "prefix", "created_at", "last_used_at")
