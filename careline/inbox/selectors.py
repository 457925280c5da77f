"""Reads for the inbox, shared by the web app and the API so both filter the same way."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Exists, F, OuterRef, QuerySet, Value, When

from careline.accounts.access import visible_conversations
from careline.accounts.models import User
from careline.assessments.selectors import corrections_prefetch
from careline.cases.models import CaseEvent, Conversation
from careline.inbox.models import Message

ORDERINGS = {
    # Most urgent first (docs/sla.md): the earliest SLA due time, overdue first; cases with no
    # clock counting last (waiting on the customer before finished ones); then the older case.
    # Built with nulls last in inbox_conversations.
    "urgent": ("sla_next_due_at", "created_at", "id"),
    "recent": ("-last_message_at", "-id"),
    "oldest": ("last_message_at", "id"),
    "created": ("-created_at", "-id"),
    "priority": ("-priority_rank", "last_message_at", "id"),
    # Most severe first (triage severity 0-100, the case's worst message), then most recent.
    "severity": ("-triage_severity", "-last_message_at", "-id"),
}
MAX_SEARCH_CHARS = 200


@dataclass(frozen=True, slots=True)
class InboxFilters:
    status: str = ""
    channel: str = ""  # channel name
    platform: str = ""
    assignee: str = ""  # username, "me" or "none"
    q: str = ""
    order: str = "urgent"
    # Triage summary of the case (careline.assessments): empty / None means any.
    kind: str = ""
    severity_min: int | None = None  # 0-100
    sentiment: str = ""
    topic: str = ""  # topic slug
    private_data: bool | None = None
    legitimacy: str = ""


def inbox_conversations(user: User, filters: InboxFilters) -> QuerySet[Conversation]:
    """The cases ``user`` may see, filtered and ordered. Unknown orderings fall back to most
    urgent first."""
    from django.db.models import IntegerField

    queryset = visible_conversations(user).select_related("channel", "author", "assignee", "team")
    if filters.status == "open":
        queryset = queryset.filter(status__in=["new", "open", "pending", "escalated"])
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.channel:
        queryset = queryset.filter(channel__name=filters.channel)
    if filters.platform:
        queryset = queryset.filter(channel__platform=filters.platform)
    if filters.assignee == "me":
        queryset = queryset.filter(assignee=user)
    elif filters.assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif filters.assignee:
        queryset = queryset.filter(assignee__username=filters.assignee)
    queryset = _triage_filtered(queryset, filters)
    needle = filters.q.strip()[:MAX_SEARCH_CHARS]
    if needle:
        matching = Message.objects.filter(conversation=OuterRef("pk"), text__icontains=needle)
        queryset = queryset.filter(Exists(matching))
    if filters.order not in ORDERINGS or filters.order == "urgent":
        finished = Case(When(status__in=["resolved", "closed"], then=Value(1)), default=Value(0))
        return queryset.order_by(
            F("sla_next_due_at").asc(nulls_last=True), finished, "created_at", "id"
        )
    order = ORDERINGS[filters.order]
    if filters.order == "priority":
        queryset = queryset.annotate(
            priority_rank=Case(
                When(priority="urgent", then=Value(3)),
                When(priority="high", then=Value(2)),
                When(priority="normal", then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    return queryset.order_by(*order)


def _triage_filtered(
    queryset: QuerySet[Conversation], filters: InboxFilters
) -> QuerySet[Conversation]:
    if filters.kind:
        queryset = queryset.filter(triage_kind=filters.kind)
    if filters.severity_min is not None:
        queryset = queryset.filter(triage_severity__gte=filters.severity_min)
    if filters.sentiment:
        queryset = queryset.filter(triage_sentiment=filters.sentiment)
    if filters.topic:
        queryset = queryset.filter(triage_topic=filters.topic)
    if filters.private_data is not None:
        queryset = queryset.filter(triage_has_private_data=filters.private_data)
    if filters.legitimacy:
        queryset = queryset.filter(triage_legitimacy=filters.legitimacy)
    return queryset


def conversation_thread(conversation: Conversation) -> QuerySet[Message]:
    """The case's messages, oldest first, with each inbound message's triage and corrections."""
    return (
        conversation.messages.select_related("author", "sent_by", "channel", "outbox", "assessment")
        .prefetch_related(corrections_prefetch())
        .order_by("created_at", "id")
    )


def conversation_events(conversation: Conversation) -> QuerySet[CaseEvent]:
    return conversation.events.select_related("actor").order_by("created_at", "id")
