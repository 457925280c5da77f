"""Satisfaction surveys and success stories (docs/followup.md).

Reminders and resolution checks need no table of their own: they live on the conversation
(``followup_due_at``, ``resolution_proposed_at``) and in its CaseEvents.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

MAX_COMMENT_CHARS = 1000
MAX_STORY_CHARS = 2000


class SurveyDelivery(models.TextChoices):
    PRIVATE = "private", "Private message"
    PUBLIC = "public", "Public reply"
    NOT_SENT = "not_sent", "Not sent"


class Survey(models.Model):
    """One satisfaction survey, sent once per resolution of a case.

    ``nonce`` is the one-time part of the signed link: ``used_at`` is set, together with the
    answer, by one conditional UPDATE (``services.SurveyLedger``), so a link answers once.
    A survey that could not be delivered (``delivery=not_sent``) keeps the reason and can
    never be answered: its link was never given out.
    """

    conversation = models.ForeignKey(
        "cases.Conversation", on_delete=models.CASCADE, related_name="surveys"
    )
    # The resolution this survey is about: at most one survey per resolution.
    resolved_at = models.DateTimeField()
    nonce = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    delivery = models.CharField(max_length=8, choices=SurveyDelivery.choices)
    not_sent_reason = models.TextField(blank=True, default="")
    channel = models.ForeignKey("inbox.Channel", on_delete=models.PROTECT, related_name="+")
    outbound = models.ForeignKey(
        "replies.OutboundMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    used_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "resolved_at"], name="survey_once_per_resolution"
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="survey_score_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["sent_at"], name="survey_sent_at")]

    def __str__(self) -> str:
        return f"Survey {self.pk} of case {self.conversation_id}"

    @property
    def answered(self) -> bool:
        return self.used_at is not None


class StoryStatus(models.TextChoices):
    ASKED = "asked", "Consent asked"
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    DECLINED = "declined", "Declined"


class SuccessStory(models.Model):
    """A resolved case told as a public success story, only with the customer's consent.

    The draft is anonymised (``careline.followup.stories``); a supervisor edits and approves
    it. Publishing on a platform is a person's manual step: ``published`` records that it was
    done (and where).
    """

    conversation = models.OneToOneField(
        "cases.Conversation", on_delete=models.CASCADE, related_name="success_story"
    )
    status = models.CharField(max_length=10, choices=StoryStatus.choices)
    asked_at = models.DateTimeField(null=True, blank=True)
    ask_outbound = models.ForeignKey(
        "replies.OutboundMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_how = models.TextField(
        blank=True, default="", help_text="How the customer consented, in the agent's words."
    )
    consent_message = models.ForeignKey(
        "inbox.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The customer's message that gave consent.",
    )
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    draft_text = models.TextField(blank=True, default="")
    drafted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    declined_reason = models.TextField(blank=True, default="")
    published_at = models.DateTimeField(null=True, blank=True)
    published_where = models.CharField(max_length=300, blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name_plural = "success stories"

    def __str__(self) -> str:
        return f"Story of case {self.conversation_id} ({self.status})"
