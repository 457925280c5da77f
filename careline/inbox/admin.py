from django.contrib import admin

from careline.inbox.models import Author, Channel, Customer


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "platform", "external_id", "display_name", "is_active")
    list_filter = ("platform", "is_active")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("display_name", "email", "created_at")
    search_fields = ("display_name", "email")


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("handle", "name", "platform", "external_id", "customer")
    list_filter = ("platform",)
    search_fields = ("handle", "name", "external_id")
    raw_id_fields = ("customer",)
