from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    RETRYING = "retrying", "Waiting to retry"
    FAILED = "failed", "Failed"


class OutboundAction(models.TextChoices):
    SEND = "send", "Send a reply"
    HIDE = "hide", "Hide on the platform"
    UNHIDE = "unhide", "Unhide on the platform"
    DELETE = "delete", "Delete on the platform"


class OutboundMessage(models.Model):
    """The durable outbox: one row per call to make on a platform — a reply to deliver or a
    moderation action — with every attempt recorded."""

    action = models.CharField(
        max_length=8, choices=OutboundAction.choices, default=OutboundAction.SEND
    )
    conversation = models.ForeignKey(
        "cases.Conversation", on_delete=models.CASCADE, related_name="outbox"
    )
    # The reply (SEND), or None for a moderation action.
    message = models.OneToOneField(
        "inbox.Message", on_delete=models.CASCADE, null=True, blank=True, related_name="outbox"
    )
    # The item a moderation action applies to.
    target = models.ForeignKey(
        "inbox.Message",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="moderations",
    )
    reason = models.TextField(blank=True)
    channel = models.ForeignKey("inbox.Channel", on_delete=models.PROTECT, related_name="+")
    reply_to_external_id = models.CharField(max_length=128, blank=True)
    # public_reply, private_reply (one private message answering a public comment) or message.
    mode = models.CharField(max_length=16, default="public_reply")
    recipient_external_id = models.CharField(max_length=128, blank=True)
    # Sent with the request so a retry after a timeout cannot post twice.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"outbound {self.pk} ({self.status})"


class DeliveryAttempt(models.Model):
    outbound = models.ForeignKey(OutboundMessage, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    permanent = models.BooleanField(default=False)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"attempt {self.pk} ok={self.ok}"
