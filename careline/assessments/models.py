"""Triage results stored per inbound message, the corrections people make to them, the
supervisor-edited topic taxonomy and the shop's orders (for legitimacy checks).

How the pipeline's output maps onto these fields is described in docs/triage.md, "In the
product".
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from careline.cases.models import AppendOnlyError


class Kind(models.TextChoices):
    COMPLAINT = "complaint", "Complaint"
    QUESTION = "question", "Question / request"
    COMPLIMENT = "compliment", "Compliment"
    FEEDBACK = "feedback", "Feedback / suggestion"
    SPAM = "spam", "Spam"
    TROLL = "troll", "Troll / abuse"
    OTHER = "other", "Other"


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    NEUTRAL = "neutral", "Neutral"
    POSITIVE = "positive", "Positive"


class SeverityLabel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Legitimacy(models.TextChoices):
    VERIFIED = "verified", "Verified"
    LEGITIMATE = "legitimate", "Legitimate"
    SUSPICIOUS = "suspicious", "Suspicious"


class Assessment(models.Model):
    """The triage of one inbound message: every label with its score, and the reasons.

    Labels are "" when the pipeline could not triage the message (``reasons`` says why).
    ``severity`` is 0-100 (see ``careline.assessments.services.severity_points``); the flag
    scores (``irony_score``, ``offensive_score``, ``hate_score``) are the probability that the
    flag is true; the other scores are the confidence in the label beside them.
    """

    message = models.OneToOneField(
        "inbox.Message", on_delete=models.CASCADE, primary_key=True, related_name="assessment"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, blank=True)
    kind_score = models.FloatField(null=True, blank=True)
    sentiment = models.CharField(max_length=16, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    emotion = models.CharField(max_length=16, blank=True)
    emotion_score = models.FloatField(null=True, blank=True)
    irony = models.BooleanField(default=False)
    irony_score = models.FloatField(null=True, blank=True)
    offensive = models.BooleanField(default=False)
    offensive_score = models.FloatField(null=True, blank=True)
    hate = models.BooleanField(default=False)
    hate_score = models.FloatField(null=True, blank=True)
    severity = models.PositiveSmallIntegerField(default=0)
    severity_label = models.CharField(max_length=8, choices=SeverityLabel.choices, blank=True)
    topic = models.SlugField(max_length=64, blank=True, db_index=False)
    topic_score = models.FloatField(null=True, blank=True)
    # [{"type", "start", "end"}]: offsets into the message text; values are never stored twice.
    private_data = models.JSONField(default=list, blank=True)
    has_private_data = models.BooleanField(default=False)
    redacted = models.TextField(blank=True)
    legitimacy = models.CharField(max_length=16, choices=Legitimacy.choices, blank=True)
    legitimacy_score = models.FloatField(null=True, blank=True)
    # [{"rule", "weight", "reason", "verifies"}], see careline.assessments.evidence.
    evidence = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    versions = models.JSONField(default=dict, blank=True)
    tier = models.CharField(max_length=16, blank=True)
    # Hash of the normalised text ("" for short texts): finds copy-paste floods.
    text_hash = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["text_hash"], condition=~models.Q(text_hash=""), name="assessment_text_hash"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind or 'untriaged'} {self.severity} on message {self.message_id}"


class CorrectableField(models.TextChoices):
    KIND = "kind", "Kind"
    SENTIMENT = "sentiment", "Sentiment"
    TOPIC = "topic", "Topic"


class Correction(models.Model):
    """A person's correction of one triage label: kept for ever as training data."""

    message = models.ForeignKey(
        "inbox.Message", on_delete=models.CASCADE, related_name="corrections"
    )
    field = models.CharField(max_length=16, choices=CorrectableField.choices)
    old_value = models.CharField(max_length=64, blank=True)
    new_value = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["field", "created_at"])]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value or '-'} -> {self.new_value} on {self.message_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("corrections are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("corrections are append-only")


FALLBACK_TOPIC = "other"


class Topic(models.Model):
    """One topic of the taxonomy. Its keywords (one per line) drive the topic rules; the
    ``other`` topic is the fallback when no keyword matches and cannot be switched off."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=80)
    keywords = models.TextField(blank=True, help_text="One keyword or phrase per line.")
    active = models.BooleanField(default=True)
    ordering = models.PositiveSmallIntegerField(default=0, help_text="Ties go to the lower one.")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ordering", "slug"]

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return [line for line in self.keywords.splitlines() if line.strip()]


class Order(models.Model):
    """An order from the shop's export (``careline import-orders``), one row per order."""

    number = models.CharField(max_length=64, help_text='As exported, e.g. "#1001".')
    # Upper-case letters and digits only ("#LH-1001" -> "LH1001"), and the digits alone, so a
    # message's "order 1001" meets "#LH-1001".
    number_key = models.CharField(max_length=64, unique=True)
    number_digits = models.CharField(max_length=64, blank=True, db_index=True)
    email = models.CharField(max_length=254, blank=True, db_index=True, help_text="Lower case.")
    customer_name = models.CharField(max_length=200, blank=True, help_text="Billing name.")
    # Case-folded billing name with single spaces, for matching authors by name.
    name_key = models.CharField(max_length=200, blank=True, db_index=True)
    shipping_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(null=True, blank=True, help_text="When it was placed.")
    paid_at = models.DateTimeField(null=True, blank=True)
    total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=8, blank=True)
    financial_status = models.CharField(max_length=32, blank=True)
    fulfillment_status = models.CharField(max_length=32, blank=True)
    line_items = models.TextField(blank=True, help_text="One line per item.")
    raw = models.JSONField(default=list, blank=True, help_text="The export's rows of the order.")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number_key"]

    def __str__(self) -> str:
        return self.number
