"""Routes of the follow-up pages (careline.web.survey_views), included by careline/web/urls.py."""

from django.urls import path

from careline.web import survey_views

urlpatterns = [
    # The token is URL-safe base64 with one dot; the view verifies it.
    path("s/<str:token>/", survey_views.survey, name="survey"),
    path(
        "c/<int:pk>/followup/resolution-check/",
        survey_views.propose_resolution,
        name="followup-resolution-check",
    ),
    path("c/<int:pk>/followup/consent/", survey_views.story_consent, name="followup-consent"),
    path("c/<int:pk>/followup/story/", survey_views.story_draft, name="followup-story"),
    path("stories/", survey_views.stories, name="stories"),
    path(
        "stories/<int:pk>/<slug:action>/",
        survey_views.story_action,
        name="story-action",
    ),
    path("reports/csat/", survey_views.csat, name="csat"),
]
