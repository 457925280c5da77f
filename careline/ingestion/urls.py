from django.urls import path

from careline.ingestion import views

urlpatterns = [
    path("<slug:family>/<slug:channel_name>", views.webhook, name="webhook"),
]
