"""Routes of the moderation actions and the reply mix (careline.web.moderation_views),
included by web/urls.py."""

from __future__ import annotations

from django.urls import path

from careline.web import moderation_views as views

urlpatterns = [
    path(
        "c/<int:pk>/m/<int:message_pk>/duty-of-care/",
        views.duty_of_care,
        name="moderation-duty-of-care",
    ),
    path("c/<int:pk>/m/<int:message_pk>/hide/", views.hide, name="moderation-hide"),
    path("c/<int:pk>/m/<int:message_pk>/flag/", views.flag, name="moderation-flag"),
    path("c/<int:pk>/m/<int:message_pk>/remove/", views.remove, name="moderation-remove"),
    path("c/<int:pk>/no-reply/", views.no_reply, name="moderation-no-reply"),
    path("reports/reply-mix/", views.reply_mix_report, name="reply-mix"),
]
