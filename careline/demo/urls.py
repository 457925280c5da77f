from django.urls import path

from careline.demo import views

urlpatterns = [path("sink", views.sink, name="demo-sink")]
