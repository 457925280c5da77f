"""Reads for the follow-up panel, the stories page and the CSAT report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from careline.accounts.access import visible_conversations
from careline.accounts.models import User
from careline.cases.models import Conversation
from careline.followup.models import StoryStatus, SuccessStory, Survey, SurveyDelivery
from careline.inbox.models import Direction, Message


@dataclass(frozen=True)
class FollowUpState:
    """What the conversation page shows about follow-up."""

    followup_due_at: datetime | None
    overdue: bool
    resolution_proposed_at: datetime | None
    resolution_answered: bool
    survey: Survey | None
    story: SuccessStory | None
    # The customer's messages an agent may point at when recording consent.
    consent_candidates: list[Message] = field(default_factory=list)


def followup_state(conversation: Conversation, *, now: datetime | None = None) -> FollowUpState:
    now = now or timezone.now()
    proposed = conversation.resolution_proposed_at
    inbound = Message.objects.filter(
        conversation=conversation, direction=Direction.INBOUND, indirect=False
    )
    answered = proposed is not None and inbound.filter(created_at__gt=proposed).exists()
    survey = Survey.objects.filter(conversation=conversation).order_by("-sent_at", "-id").first()
    story = SuccessStory.objects.filter(conversation=conversation).first()
    candidates: list[Message] = []
    if story is not None and story.status == StoryStatus.ASKED:
        # Newest first: the answer to the question is usually the latest message.
        candidates = list(inbound.order_by("-created_at", "-id")[:10])
    due = conversation.followup_due_at
    return FollowUpState(
        followup_due_at=due,
        overdue=due is not None and due <= now,
        resolution_proposed_at=proposed,
        resolution_answered=answered,
        survey=survey,
        story=story,
        consent_candidates=candidates,
    )


def stories_for(user: User) -> QuerySet[SuccessStory]:
    """Stories of the cases ``user`` may see, newest first."""
    return (
        SuccessStory.objects.filter(conversation__in=visible_conversations(user))
        .select_related("conversation", "approved_by", "consent_by", "consent_message")
        .order_by("-updated_at", "-id")
    )


@dataclass(frozen=True)
class CsatReport:
    since: datetime
    until: datetime
    sent: int
    answered: int
    average: float | None
    distribution: dict[int, int]

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None

    @property
    def satisfied_share(self) -> float | None:
        """CSAT as usually quoted: the share of answers that are 4 or 5."""
        if not self.answered:
            return None
        return (self.distribution[4] + self.distribution[5]) / self.answered

    def to_dict(self) -> dict[str, object]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "sent": self.sent,
            "answered": self.answered,
            "response_rate": self.response_rate,
            "average": self.average,
            "satisfied_share": self.satisfied_share,
            "distribution": {str(k): v for k, v in self.distribution.items()},
        }


def csat_report(*, days: int = 30, now: datetime | None = None) -> CsatReport:
    """Surveys delivered in the last ``days`` days: how many were answered, the average score
    and how the scores spread. One aggregate query plus one grouped count."""
    until = now or timezone.now()
    since = until - timedelta(days=days)
    delivered = Survey.objects.filter(sent_at__gt=since, sent_at__lte=until).exclude(
        delivery=SurveyDelivery.NOT_SENT
    )
    totals = delivered.aggregate(
        sent=Count("id"),
        answered=Count("id", filter=Q(used_at__isnull=False)),
        average=Avg("score", filter=Q(used_at__isnull=False)),
    )
    distribution = dict.fromkeys(range(1, 6), 0)
    for row in delivered.filter(used_at__isnull=False).values("score").annotate(n=Count("id")):
        if row["score"] is not None:
            distribution[int(row["score"])] = row["n"]
    average = totals["average"]
    return CsatReport(
        since=since,
        until=until,
        sent=totals["sent"],
        answered=totals["answered"],
        average=round(float(average), 2) if average is not None else None,
        distribution=distribution,
    )
