from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from careline.cases.models import AppendOnlyError


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


class Playbook(models.Model):
    """A supervisor's reply templates for one kind x topic x purpose ("" = any), with several
    variants so no two public replies read the same. Where none is active, the built-in
    playbooks (``careline.replies.playbook_defaults``) are used."""

    kind = models.CharField(max_length=16, blank=True)
    topic = models.SlugField(max_length=64, blank=True, db_index=False)
    purpose = models.CharField(max_length=32)
    name = models.CharField(max_length=120)
    # A list of templates with {variable} placeholders (careline.replies.playbook_text).
    variants = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["purpose", "kind", "topic", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "topic", "purpose"], name="playbook_unique_kind_topic_purpose"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PlaybookRevision(models.Model):
    """Every saved version of a playbook, who saved it and when (append-only)."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="revisions")
    kind = models.CharField(max_length=16, blank=True)
    topic = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=32)
    name = models.CharField(max_length=120)
    variants = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"revision {self.pk} of playbook {self.playbook_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("playbook revisions are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("playbook revisions are append-only")


class ConcessionLimit(models.Model):
    """The most a user may refund or credit in a reply without a supervisor's approval (shop
    currency). Users without a row get ``CARELINE_DEFAULT_CONCESSION_LIMIT``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="concession_limit"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.amount}"


class HeldStatus(models.TextChoices):
    HELD = "held", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class HeldReply(models.Model):
    """A reply the tone guard flagged as risky (or over the sender's concession limit): kept
    here, not in the outbox, until a supervisor approves (then it is queued) or rejects it."""

    conversation = models.ForeignKey(
        "cases.Conversation", on_delete=models.CASCADE, related_name="held_replies"
    )
    text = models.TextField()
    public = models.BooleanField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=HeldStatus.choices, default=HeldStatus.HELD)
    approval_reasons = models.JSONField(default=list)
    findings = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    outbound = models.OneToOneField(
        OutboundMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="held"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"held reply {self.pk} ({self.status})"


class ReplyCheck(models.Model):
    """The tone guard's findings on a reply that was queued (held replies keep their own), so
    a supervisor's unapproved risky reply is still on record."""

    outbound = models.OneToOneField(
        OutboundMessage, on_delete=models.CASCADE, related_name="tone_check"
    )
    findings = models.JSONField(default=list)
    needs_approval = models.BooleanField(default=False)
    approval_reasons = models.JSONField(default=list)
    # Approval was needed but the sender's role skips it (supervisor, admin).
    approval_skipped = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"tone check of outbound {self.outbound_id}"
