"""Escalation rules as supervisors edit them, where notifications go, every notification sent,
and declared crises (docs/sla.md, "Escalation in the product")."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from careline.cases.models import AppendOnlyError
from careline.lib.crypto import EncryptedJSONField


class EscalationRuleSet(models.Model):
    """One version of the escalation rules. Every save is a new row; the newest is in force.

    ``rules`` is the ``rules_to_json`` object (``{"version": 1, "rules": [...]}``), validated
    with ``rules_from_json`` before it is stored. No row at all: the built-in ``DEFAULT_RULES``.
    """

    version = models.PositiveIntegerField(unique=True)
    rules = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"escalation rules v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("rule versions are append-only; save a new version")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("rule versions are append-only")


class NotifyChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    CHAT = "chat", "Chat webhook"


class NotificationTarget(models.Model):
    """Where a rule's ``{"type": "notify", "channel": ..., "to": name}`` goes.

    ``config`` is encrypted at rest like channel credentials: ``{"emails": [...]}`` for
    e-mail, ``{"webhook_url": "https://..."}`` (Slack-compatible) for chat.
    """

    name = models.SlugField(max_length=64, help_text='As rules name it, e.g. "supervisors".')
    channel = models.CharField(max_length=8, choices=NotifyChannel.choices)
    config = EncryptedJSONField(blank=True, default=dict)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["name", "channel"], name="notification_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_channel_display()})"

    @property
    def emails(self) -> list[str]:
        return [str(e) for e in self.config.get("emails", [])]

    @property
    def webhook_url(self) -> str:
        return str(self.config.get("webhook_url", ""))


class NotificationKind(models.TextChoices):
    ESCALATION = "escalation", "Escalation"
    BREACH = "breach", "SLA breach"
    OVERDUE = "overdue", "Escalation overdue"
    CRISIS = "crisis", "Crisis alert"


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    RETRYING = "retrying", "Waiting to retry"
    FAILED = "failed", "Failed"


class Notification(models.Model):
    """One message to a team or person (e-mail or chat), recorded like an outbound reply:
    status, attempts, the last error. ``dedupe_key`` makes creating it idempotent; the text
    never holds private data (it is built from redacted text)."""

    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    conversation = models.ForeignKey(
        "cases.Conversation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    crisis = models.ForeignKey(
        "escalations.Crisis",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    target = models.ForeignKey(
        NotificationTarget,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    target_name = models.CharField(max_length=64)
    channel = models.CharField(max_length=8, choices=NotifyChannel.choices)
    subject = models.CharField(max_length=200)
    text = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was sent.")
    dedupe_key = models.CharField(max_length=200, unique=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        max_length=12, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.target_name} ({self.status})"


class NotificationAttempt(models.Model):
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="attempts"
    )
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


class Crisis(models.Model):
    """A crisis a supervisor declared. While it runs, the ``crisis`` fact is true for cases
    it covers: its topic is the case's triage topic, or the case's text mentions one of its
    keywords; with neither set it covers every case."""

    title = models.CharField(max_length=120)
    topic = models.SlugField(max_length=64, blank=True)
    keywords = models.TextField(blank=True, help_text="One word or phrase per line.")
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name_plural = "crises"

    def __str__(self) -> str:
        return self.title

    @property
    def active(self) -> bool:
        return self.ended_at is None

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip().lower() for k in self.keywords.splitlines() if k.strip()]
