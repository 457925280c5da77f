"""URLs of the SLA pages (careline/web/sla_views.py), included by careline/web/urls.py."""

from django.urls import path

from careline.web import sla_views

urlpatterns = [
    path("settings/sla/", sla_views.sla_settings, name="sla-settings"),
    path("settings/sla/policies/new/", sla_views.policy_new, name="sla-policy-new"),
    path("settings/sla/policies/<int:pk>/", sla_views.policy_edit, name="sla-policy-edit"),
    path(
        "settings/sla/policies/<int:pk>/delete/",
        sla_views.policy_delete,
        name="sla-policy-delete",
    ),
    path("settings/sla/hours/new/", sla_views.hours_new, name="sla-hours-new"),
    path("settings/sla/hours/<int:pk>/", sla_views.hours_edit, name="sla-hours-edit"),
    path("reports/unanswered/", sla_views.unanswered_report, name="unanswered-report"),
]
