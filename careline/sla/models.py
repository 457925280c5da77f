"""SLA settings as supervisors edit them, and the bookkeeping the clocks need (docs/sla.md).

- ``BusinessHours``: a named calendar, stored as ``BusinessCalendar.to_dict()`` JSON and
  validated with ``BusinessCalendar.from_dict`` before it is saved (``careline.sla.services``).
- ``SlaPolicyRow``: targets for one priority, on one channel or on every channel. No row for a
  priority: the built-in default (``careline.workflow.sla.DEFAULT_TARGETS``, 24/7) applies.
- ``SlaPause``: a span during which the resolution clock waits (waiting on the customer, or a
  resolved case until it is reopened).
- ``SlaSweepMark``: what the sweeper already handled for a case, so it does not look at the
  same overdue case every 30 seconds.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from careline.cases.models import Priority
from careline.workflow.calendar import ALWAYS_OPEN, BusinessCalendar
from careline.workflow.sla import SlaPolicy, SlaTargets


class BusinessHours(models.Model):
    """A named business calendar: weekly hours in a time zone, and holidays."""

    name = models.CharField(max_length=64, unique=True)
    calendar = models.JSONField(
        help_text='BusinessCalendar.to_dict(): {"tz", "always_open", "weekly", "holidays"}.'
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "business hours"

    def __str__(self) -> str:
        return self.name

    def to_calendar(self) -> BusinessCalendar:
        """The pure calendar; raises CalendarError if the stored JSON is unusable."""
        return BusinessCalendar.from_dict(self.calendar)


class SlaPolicyRow(models.Model):
    """Targets, in business minutes on ``hours`` (none: 24/7 UTC), for ``priority`` cases on
    ``channel`` (none: every channel). The lowest ``ordering`` wins among equal candidates."""

    name = models.CharField(max_length=64, unique=True)
    priority = models.CharField(max_length=8, choices=Priority.choices)
    channel = models.ForeignKey(
        "inbox.Channel", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    first_response_minutes = models.PositiveIntegerField()
    next_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()
    hours = models.ForeignKey(
        BusinessHours, on_delete=models.PROTECT, null=True, blank=True, related_name="policies"
    )
    warn_before_fraction = models.FloatField(
        default=0.2, help_text="Share of each target left when the warning fires (0: none)."
    )
    ordering = models.PositiveSmallIntegerField(default=100)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["ordering", "name"]

    def __str__(self) -> str:
        return self.name

    def to_policy(self) -> SlaPolicy:
        """The pure policy (``channel`` keyed by the channel's name, its slug)."""
        from datetime import timedelta

        return SlaPolicy(
            name=self.name,
            priority=self.priority,  # type: ignore[arg-type]  # validated by the choices
            channel=self.channel.name if self.channel_id and self.channel else None,
            targets=SlaTargets(
                first_response=timedelta(minutes=self.first_response_minutes),
                next_response=timedelta(minutes=self.next_response_minutes),
                resolution=timedelta(minutes=self.resolution_minutes),
            ),
            calendar=self.hours.to_calendar() if self.hours_id and self.hours else ALWAYS_OPEN,
            warn_before_fraction=self.warn_before_fraction,
        )


class PauseCause(models.TextChoices):
    PENDING = "pending", "Waiting on the customer"
    RESOLVED = "resolved", "Resolved"


class SlaPause(models.Model):
    """The resolution clock does not count from ``started_at`` to ``ended_at`` (None: still
    paused). Written by ``careline.sla.services`` only."""

    conversation = models.ForeignKey(
        "cases.Conversation", on_delete=models.CASCADE, related_name="sla_pauses"
    )
    cause = models.CharField(max_length=12, choices=PauseCause.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["conversation", "started_at"])]

    def __str__(self) -> str:
        return f"{self.cause} pause of case {self.conversation_id} from {self.started_at}"


class SlaSweepMark(models.Model):
    """The sweeper handled the case while its next due and warning times were these; it looks
    again when they change or at ``next_check_at`` (None: not until they change)."""

    conversation = models.OneToOneField(
        "cases.Conversation", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    due_at = models.DateTimeField(null=True)
    warn_at = models.DateTimeField(null=True)
    next_check_at = models.DateTimeField(null=True)
    checked_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["next_check_at"], name="sla_sweep_next_check")]

    def __str__(self) -> str:
        return f"SLA sweep of case {self.conversation_id} at {self.checked_at}"
