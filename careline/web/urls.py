from django.contrib.auth import views as auth_views
from django.urls import include, path

from careline.web import views

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.inbox, name="inbox"),
    path("c/<int:pk>/", views.conversation, name="conversation"),
    path("c/<int:pk>/reply/", views.conversation_reply, name="conversation-reply"),
    path("c/<int:pk>/assign/", views.conversation_assign, name="conversation-assign"),
    path("c/<int:pk>/status/", views.conversation_status, name="conversation-status"),
    path("c/<int:pk>/note/", views.conversation_note, name="conversation-note"),
    path(
        "c/<int:pk>/m/<int:message_pk>/correct/",
        views.conversation_correct,
        name="conversation-correct",
    ),
    path("settings/channels/", views.channels, name="channels"),
    path("settings/channels/new/", views.channel_new, name="channel-new"),
    path("settings/topics/", views.topics, name="topics"),
    path("settings/topics/<int:pk>/", views.topic_edit, name="topic-edit"),
    path("", include("careline.web.escalation_urls")),
    path("", include("careline.web.survey_urls")),
    path("", include("careline.web.sla_urls")),
    path("", include("careline.web.compose_urls")),
    path("", include("careline.web.assignment_views")),
    path("", include("careline.web.moderation_urls")),
]
