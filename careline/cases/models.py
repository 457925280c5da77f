from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from careline.cases.workflow import Status


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Conversation(models.Model):
    """The case: one thread of messages with one person, and its handling."""

    # channel, author and assignee: no index of their own. The indexes (channel, status),
    # (author, status) and (assignee, status) below begin with them and serve every lookup by
    # them; a third copy only costs every write of a case row (docs/performance.md, "Import").
    channel = models.ForeignKey(
        "inbox.Channel", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    author = models.ForeignKey(
        "inbox.Author",
        on_delete=models.PROTECT,
        null=True,
        related_name="conversations",
        db_index=False,
    )
    subject = models.CharField(max_length=200, blank=True, help_text="Start of the first post.")
    visibility = models.CharField(max_length=8, default="public")
    status = models.CharField(
        max_length=12, choices=[(s.value, s.value.title()) for s in Status], default=Status.NEW
    )
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
        db_index=False,
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    # One timestamp per status: when the case last entered it.
    new_at = models.DateTimeField(null=True, blank=True)
    open_at = models.DateTimeField(null=True, blank=True)
    pending_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Triage summary over the case's inbound messages, kept by careline.assessments.services
    # (docs/triage.md, "In the product"). Database defaults, because ingestion inserts cases
    # with raw SQL that names only its own columns.
    triage_kind = models.CharField(max_length=16, blank=True, default="", db_default="")
    triage_severity = models.PositiveSmallIntegerField(
        default=0,
        db_default=0,
        help_text="Highest severity (0-100) of the case's inbound messages.",
    )
    triage_sentiment = models.CharField(max_length=16, blank=True, default="", db_default="")
    triage_topic = models.SlugField(
        max_length=64, blank=True, default="", db_default="", db_index=False
    )
    triage_has_private_data = models.BooleanField(default=False, db_default=False)
    triage_legitimacy = models.CharField(max_length=16, blank=True, default="", db_default="")
    triaged_at = models.DateTimeField(null=True, blank=True)
    # Why the case's severity is above its messages' (careline.assessments.context).
    triage_context = models.CharField(max_length=300, blank=True, default="", db_default="")
    # SLA clocks (careline.sla; docs/sla.md "Wiring notes"): the policy in force and the facts
    # the pure clocks are computed from, plus the next due and warning times, indexed, so the
    # inbox orders "most urgent first" and the sweeper finds what is due in SQL.
    sla_policy = models.CharField(max_length=64, blank=True, default="", db_default="")
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_agent_reply_at = models.DateTimeField(null=True, blank=True)
    customer_waiting_since = models.DateTimeField(
        null=True, blank=True, help_text="Oldest inbound message not yet answered."
    )
    sla_next_due_at = models.DateTimeField(null=True, blank=True)
    sla_next_warn_at = models.DateTimeField(null=True, blank=True)
    sla_breached_at = models.DateTimeField(null=True, blank=True)
    # Escalation (careline.escalations): when the escalation's owner must have acted.
    escalation_due_at = models.DateTimeField(null=True, blank=True)
    escalation_reason = models.TextField(blank=True, default="", db_default="")
    # "No one ignored": an explicit, recorded decision not to reply (spam, duplicate, …).
    no_reply_reason = models.CharField(max_length=200, blank=True, default="", db_default="")
    no_reply_at = models.DateTimeField(null=True, blank=True)
    no_reply_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Follow-up (careline.followup): the next reminder while the case waits on us, and when a
    # resolution was proposed to the customer (then we ask whether it is acceptable).
    followup_due_at = models.DateTimeField(null=True, blank=True)
    resolution_proposed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "last_message_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["channel", "status"]),
            models.Index(fields=["author", "status"]),
            models.Index(fields=["last_message_at"]),
            models.Index(fields=["triage_severity", "last_message_at"]),
            models.Index(fields=["triage_kind", "last_message_at"]),
            models.Index(fields=["triage_topic", "last_message_at"]),
            models.Index(fields=["triage_sentiment", "last_message_at"]),
            models.Index(
                fields=["last_message_at"],
                condition=models.Q(triage_has_private_data=True),
                name="conversation_private_data",
            ),
            models.Index(
                fields=["triage_legitimacy", "last_message_at"],
                name="conversation_legitimacy",
            ),
            models.Index(fields=["sla_next_due_at", "created_at"], name="conversation_sla_due"),
            models.Index(fields=["sla_next_warn_at"], name="conversation_sla_warn"),
            models.Index(fields=["escalation_due_at"], name="conversation_escalation_due"),
            models.Index(fields=["followup_due_at"], name="conversation_followup_due"),
            models.Index(
                fields=["triage_kind", "created_at"],
                condition=models.Q(first_response_at__isnull=True, no_reply_at__isnull=True),
                name="conversation_unanswered",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}: {self.subject[:40]}"

    @property
    def is_open(self) -> bool:
        return self.status in {Status.NEW, Status.OPEN, Status.PENDING, Status.ESCALATED}


class EventKind(models.TextChoices):
    CREATED = "created", "Case created"
    MESSAGE_RECEIVED = "message_received", "Message received"
    REPLY_QUEUED = "reply_queued", "Reply queued"
    REPLY_SENT = "reply_sent", "Reply delivered"
    REPLY_FAILED = "reply_failed", "Reply failed"
    STATUS_CHANGED = "status_changed", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    NOTE = "note", "Internal note"
    REOPENED = "reopened", "Reopened"
    MESSAGE_EDITED = "message_edited", "Message edited on the platform"
    MESSAGE_DELETED = "message_deleted", "Message deleted on the platform"
    MESSAGE_HIDDEN = "message_hidden", "Message hidden"
    MESSAGE_UNHIDDEN = "message_unhidden", "Message unhidden"
    TRIAGE_CORRECTED = "triage_corrected", "Triage corrected"
    MODERATION_REQUESTED = "moderation_requested", "Moderation requested"
    MODERATION_FAILED = "moderation_failed", "Moderation failed"
    MODERATION_REFUSED = "moderation_refused", "Moderation refused"
    NO_REPLY_DECIDED = "no_reply_decided", "Decided not to reply"
    REPLY_HELD = "reply_held", "Reply held for approval"
    REPLY_APPROVED = "reply_approved", "Reply approved"
    REPLY_REJECTED = "reply_rejected", "Reply rejected"
    SLA_WARNING = "sla_warning", "SLA warning"
    SLA_BREACHED = "sla_breached", "SLA breached"
    ESCALATED = "escalated", "Escalated"
    PRIORITY_CHANGED = "priority_changed", "Priority changed"
    TEAM_ASSIGNED = "team_assigned", "Team assigned"
    NOTIFIED = "notified", "Notification sent"
    NOTIFICATION_FAILED = "notification_failed", "Notification failed"
    HANDOVER = "handover", "Handover note"
    REMINDER = "reminder", "Follow-up reminder"
    RESOLUTION_CHECK = "resolution_check", "Asked whether the resolution is acceptable"
    SURVEY_SENT = "survey_sent", "Satisfaction survey sent"
    SURVEY_ANSWERED = "survey_answered", "Satisfaction survey answered"
    STORY_CONSENT = "story_consent", "Success-story consent"
    STORY_DRAFTED = "story_drafted", "Success story drafted"


class AppendOnlyError(RuntimeError):
    pass


class CaseEvent(models.Model):
    """The append-only record of everything that happened to a case: who, what, when, why."""

    # No index of its own: (conversation, created_at) below begins with it.
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} on case {self.conversation_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("case events are append-only")
