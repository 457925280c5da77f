"""Routes of the escalation pages (careline.web.escalation_views), included by web/urls.py."""

from __future__ import annotations

from django.urls import path

from careline.web import escalation_views as views

urlpatterns = [
    path("settings/escalation/", views.escalation_rules, name="escalation-rules"),
    path("settings/notifications/", views.notification_targets, name="notification-targets"),
    path("crisis/", views.crisis, name="crisis"),
    path("crisis/<int:pk>/end/", views.crisis_end, name="crisis-end"),
    path("reports/notifications/", views.notifications_log, name="notifications-log"),
]
