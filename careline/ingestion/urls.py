from django.urls import path

from careline.ingestion import views

urlpatterns = [
    path("generic/<slug:channel_name>", views.generic_webhook, name="generic-webhook"),
]
