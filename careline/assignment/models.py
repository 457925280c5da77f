"""Who takes which case: agents' skills and availability, each team's routing, and who has
which case open right now (docs/assignment.md)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class AgentProfile(models.Model):
    """One per user, created on first use. Without one, an agent is available, has no skills
    and no case limit, and supervisors and admins receive no automatic cases."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    # Lower-case codes ("en", "de") and triage topic slugs ("delivery"), as JSON lists.
    languages = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True)
    available = models.BooleanField(default=True)
    # Away until this moment; available again by itself afterwards (None: no end set).
    away_until = models.DateTimeField(null=True, blank=True)
    receives_cases = models.BooleanField(
        default=True, help_text="Takes part in automatic assignment."
    )
    max_open_cases = models.PositiveIntegerField(
        null=True, blank=True, help_text="No automatic case beyond this many open ones."
    )
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"profile of {self.user}"

    def is_available(self, now: datetime) -> bool:
        """Marked available; or marked away until a moment that has passed."""
        if self.away_until is not None:
            return self.away_until <= now
        return self.available


class Strategy(models.TextChoices):
    LEAST_LOADED = "least_loaded", "Least loaded"
    ROUND_ROBIN = "round_robin", "Round robin"


class TeamRouting(models.Model):
    """How a team hands out its cases. ``intake``: new cases that have no team go to this one
    (at most one team)."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="routing")
    strategy = models.CharField(
        max_length=16, choices=Strategy.choices, default=Strategy.LEAST_LOADED
    )
    auto_assign = models.BooleanField(default=False)
    intake = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["intake"], condition=models.Q(intake=True), name="one_intake_team"
            )
        ]

    def __str__(self) -> str:
        return f"routing of {self.team}"


class Presence(models.Model):
    """Someone has a case open: refreshed by the page's heartbeat; stale after a while."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        "cases.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    since = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    # Last heartbeat while the reply box had focus.
    typing_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="one_presence_per_user")
        ]
        indexes = [models.Index(fields=["user", "last_seen"])]

    def __str__(self) -> str:
        return f"{self.user} on case {self.conversation_id}"
