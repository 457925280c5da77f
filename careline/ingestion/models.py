from __future__ import annotations

from django.db import models
from django.utils import timezone


class EventSource(models.TextChoices):
    WEBHOOK = "webhook", "Webhook"
    POLL = "poll", "Polling"


class EventStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be processed"
    DONE = "done", "Processed"
    FAILED = "failed", "Failed (gave up after retries)"


class InboundEvent(models.Model):
    """A raw delivery exactly as received, stored before anything is done with it.

    Unique on (channel, dedupe_key) so a redelivered webhook is recognised and dropped. Pending
    rows that no task finished are queued again by the sweeper.
    """

    channel = models.ForeignKey("inbox.Channel", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=16, choices=EventSource.choices)
    dedupe_key = models.CharField(max_length=128)
    payload = models.TextField(help_text="The raw body, byte for byte (UTF-8).")
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=8, choices=EventStatus.choices, default=EventStatus.PENDING
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    items_created = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "dedupe_key"], name="inbound_event_once")
        ]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.source} event {self.dedupe_key[:16]} on channel {self.channel_id}"
