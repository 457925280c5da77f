from django.urls import path

from careline.web import compose_views

urlpatterns = [
    path("c/<int:pk>/draft/", compose_views.draft, name="compose-draft"),
    path("c/<int:pk>/tone/", compose_views.tone, name="compose-tone"),
    path("c/<int:pk>/held/<int:held_pk>/approve/", compose_views.approve, name="held-approve"),
    path("c/<int:pk>/held/<int:held_pk>/reject/", compose_views.reject, name="held-reject"),
    path("approvals/", compose_views.approvals, name="approvals"),
    path("settings/playbooks/", compose_views.playbooks, name="playbooks"),
    path("settings/playbooks/new/", compose_views.playbook_new, name="playbook-new"),
    path(
        "settings/playbooks/<int:playbook_pk>/",
        compose_views.playbook_edit,
        name="playbook-edit",
    ),
    path(
        "settings/concession-limits/",
        compose_views.concession_limits,
        name="concession-limits",
    ),
]
