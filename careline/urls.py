from django.contrib import admin
from django.urls import include, path

from careline.api.api import api

urlpatterns = [
    path("hooks/", include("careline.ingestion.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("demo/", include("careline.demo.urls")),
    path("", include("careline.web.urls")),
]
