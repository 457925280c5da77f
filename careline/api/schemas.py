"""What the API reads and writes. Output schemas are filled from model instances."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from careline.assessments.models import Assessment, Correction, Kind, Legitimacy, Sentiment
from careline.assessments.subjects import redacted_subject
from careline.cases.models import CaseEvent, Conversation, EventKind, Priority
from careline.cases.workflow import Status
from careline.inbox.models import Direction, Message, Platform, Visibility
from careline.inbox.selectors import MAX_SEARCH_CHARS, InboxFilters, conversation_events
from careline.replies.models import DeliveryStatus, OutboundMessage

# The keys of careline.inbox.selectors.ORDERINGS (a test keeps them in step).
Order = Literal["urgent", "recent", "oldest", "created", "priority", "severity"]


class AuthorOut(Schema):
    handle: str
    name: str
    external_id: str


class EventOut(Schema):
    id: int
    kind: EventKind
    actor: str | None = Field(description="Username; null for the system.")
    reason: str
    data: dict[str, Any]
    created_at: datetime

    @staticmethod
    def resolve_actor(obj: CaseEvent) -> str | None:
        return obj.actor.username if obj.actor else None


class ConversationTriageOut(Schema):
    kind: str = Field(description="Kind of the case's most severe message.")
    severity: int = Field(
        description="Highest severity (0-100) of the case's messages, raised by its context."
    )
    severity_context: str = Field(
        description="Why the context raised it (repeated contact, reach, pile-on), or empty."
    )
    sentiment: str = Field(description="Sentiment of the case's latest message.")
    topic: str = Field(description="Topic slug of the case's most severe message.")
    has_private_data: bool = Field(description="Whether any message exposes private data.")
    legitimacy: str = Field(description="suspicious if any message is, else verified if any is.")
    triaged_at: datetime


class ConversationSlaOut(Schema):
    policy: str = Field(description="Name of the SLA policy in force; empty before the first.")
    next_due_at: datetime | None = Field(
        description="Earliest due time of a running clock (past: overdue); null when none runs."
    )
    next_warn_at: datetime | None = Field(description="When that clock's warning begins.")
    breached_at: datetime | None = Field(description="Due time of the case's first breach.")
    first_response_at: datetime | None
    last_agent_reply_at: datetime | None
    customer_waiting_since: datetime | None = Field(
        description="Oldest customer message not answered yet."
    )
    no_reply_at: datetime | None = Field(description="When someone decided not to reply.")
    no_reply_reason: str


class ConversationOut(Schema):
    id: int
    status: Status
    priority: Priority
    channel: str = Field(description="Channel name.")
    platform: Platform
    author: AuthorOut | None
    assignee: str | None = Field(description="Username.")
    team: str | None = Field(description="Team name.")
    subject: str = Field(
        description="Start of the first message, redacted if it exposes private data."
    )
    message_count: int
    created_at: datetime
    last_message_at: datetime
    # When the case last entered each status; null if it never did.
    new_at: datetime | None
    open_at: datetime | None
    pending_at: datetime | None
    escalated_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    triage: ConversationTriageOut | None = Field(description="Null until a message is triaged.")
    sla: ConversationSlaOut = Field(description="SLA clocks as stored (docs/sla.md).")

    @staticmethod
    def resolve_channel(obj: Conversation) -> str:
        return obj.channel.name

    @staticmethod
    def resolve_subject(obj: Conversation) -> str:
        return redacted_subject(obj)

    @staticmethod
    def resolve_triage(obj: Conversation) -> dict[str, Any] | None:
        if obj.triaged_at is None:
            return None
        return {
            "kind": obj.triage_kind,
            "severity": obj.triage_severity,
            "severity_context": obj.triage_context,
            "sentiment": obj.triage_sentiment,
            "topic": obj.triage_topic,
            "has_private_data": obj.triage_has_private_data,
            "legitimacy": obj.triage_legitimacy,
            "triaged_at": obj.triaged_at,
        }

    @staticmethod
    def resolve_platform(obj: Conversation) -> str:
        return obj.channel.platform

    @staticmethod
    def resolve_sla(obj: Conversation) -> dict[str, Any]:
        return {
            "policy": obj.sla_policy,
            "next_due_at": obj.sla_next_due_at,
            "next_warn_at": obj.sla_next_warn_at,
            "breached_at": obj.sla_breached_at,
            "first_response_at": obj.first_response_at,
            "last_agent_reply_at": obj.last_agent_reply_at,
            "customer_waiting_since": obj.customer_waiting_since,
            "no_reply_at": obj.no_reply_at,
            "no_reply_reason": obj.no_reply_reason,
        }

    @staticmethod
    def resolve_assignee(obj: Conversation) -> str | None:
        return obj.assignee.username if obj.assignee else None

    @staticmethod
    def resolve_team(obj: Conversation) -> str | None:
        return obj.team.name if obj.team else None


class ConversationDetailOut(ConversationOut):
    events: list[EventOut] = Field(description="The case's history, oldest first.")

    @staticmethod
    def resolve_events(obj: Conversation) -> list[CaseEvent]:
        return list(conversation_events(obj))


class PrivateSpanOut(Schema):
    type: str
    start: int = Field(description="Offset of the first character in the message text.")
    end: int = Field(description="Offset after the last character.")


class EvidenceOut(Schema):
    rule: str
    weight: float = Field(description="How strongly it suggests a fake (0-1).")
    reason: str
    verifies: bool = Field(description="Evidence for a real customer (an order, an e-mail).")


class CorrectionOut(Schema):
    field: str
    old_value: str
    new_value: str
    actor: str | None = Field(description="Username.")
    created_at: datetime

    @staticmethod
    def resolve_actor(obj: Correction) -> str | None:
        return obj.actor.username if obj.actor else None


class MessageTriageOut(Schema):
    """Labels are "" when triage failed on the message (``reasons`` says why)."""

    kind: str
    kind_score: float | None
    sentiment: str
    sentiment_score: float | None
    emotion: str
    emotion_score: float | None
    irony: bool
    irony_score: float | None = Field(description="Probability of irony.")
    offensive: bool
    offensive_score: float | None = Field(description="Probability of offensive language.")
    hate: bool
    hate_score: float | None = Field(description="Probability of hate speech.")
    severity: int = Field(description="0-100: low < 25 <= medium < 50 <= high < 75 <= critical.")
    severity_label: str
    topic: str
    topic_score: float | None
    private_data: list[PrivateSpanOut]
    redacted: str = Field(description="The text with every private-data span replaced.")
    legitimacy: str
    legitimacy_score: float | None
    evidence: list[EvidenceOut]
    reasons: list[str] = Field(description="One readable line per decision.")
    versions: dict[str, str] = Field(description="Analyser name -> version.")
    tier: str
    created_at: datetime
    corrected_at: datetime | None
    corrections: list[CorrectionOut] = Field(description="People's corrections, oldest first.")

    @staticmethod
    def resolve_corrections(obj: Assessment) -> list[Correction]:
        return list(obj.message.corrections.all())


class MessageOut(Schema):
    id: int
    conversation: int = Field(description="Conversation id.")
    channel: str = Field(description="Channel name.")
    direction: Direction
    visibility: Visibility
    text: str
    external_id: str | None = Field(description="The platform's id; null until a reply is sent.")
    reply_to_external_id: str
    author: str | None = Field(description="The author's handle; null for our replies.")
    sent_by: str | None = Field(description="Username of the agent who wrote a reply.")
    created_at: datetime
    received_at: datetime
    delivery_status: DeliveryStatus | None = Field(description="For replies; null otherwise.")
    triage: MessageTriageOut | None = Field(
        description="For customers' messages once triaged; null otherwise."
    )

    @staticmethod
    def resolve_conversation(obj: Message) -> int:
        return obj.conversation_id

    @staticmethod
    def resolve_channel(obj: Message) -> str:
        return obj.channel.name

    @staticmethod
    def resolve_author(obj: Message) -> str | None:
        return obj.author.handle if obj.author else None

    @staticmethod
    def resolve_sent_by(obj: Message) -> str | None:
        return obj.sent_by.username if obj.sent_by else None

    @staticmethod
    def resolve_delivery_status(obj: Message) -> str | None:
        try:
            return obj.outbox.status
        except OutboundMessage.DoesNotExist:
            return None

    @staticmethod
    def resolve_triage(obj: Message) -> Assessment | None:
        try:
            return obj.assessment
        except Assessment.DoesNotExist:
            return None


class ConversationFilters(Schema):
    status: Status | None = Field(
        None, description="`open` means any open status: new, open, pending or escalated."
    )
    channel: str | None = Field(None, description="Channel name.")
    platform: Platform | None = None
    assignee: str | None = Field(None, description="`me`, `none` or a username.")
    q: str | None = Field(
        None, description=f"Text in one of the messages (first {MAX_SEARCH_CHARS} characters)."
    )
    order: Order = Field(
        "urgent",
        description="`urgent` (the default): earliest SLA due time first, overdue first; "
        "`priority` puts urgent cases first, `severity` the most severe (triage).",
    )
    kind: Kind | None = Field(None, description="Triage kind of the case.")
    severity_min: int | None = Field(None, ge=0, le=100, description="Triage severity at least.")
    sentiment: Sentiment | None = None
    topic: str | None = Field(None, description="Topic slug.")
    private_data: bool | None = Field(None, description="Whether a message exposes private data.")
    legitimacy: Legitimacy | None = None

    def as_inbox_filters(self) -> InboxFilters:
        return InboxFilters(
            status=self.status or "",
            channel=self.channel or "",
            platform=self.platform or "",
            assignee=self.assignee or "",
            q=self.q or "",
            order=self.order,
            kind=self.kind or "",
            severity_min=self.severity_min,
            sentiment=self.sentiment or "",
            topic=self.topic or "",
            private_data=self.private_data,
            legitimacy=self.legitimacy or "",
        )


class CorrectionIn(Schema):
    kind: Kind | None = None
    sentiment: Sentiment | None = None
    topic: str | None = Field(None, description="An active topic's slug.")


class MessageFilters(Schema):
    conversation: int | None = Field(None, description="Conversation id.")
    direction: Direction | None = None
    channel: str | None = Field(None, description="Channel name.")


class ReplyIn(Schema):
    text: str = Field(description="Limits are checked by the reply service (400 when exceeded).")
    public: bool = Field(description="Answer in public under the person's latest public post.")


class StatusIn(Schema):
    status: Status
    reason: str = ""


class AssignIn(Schema):
    assignee: str | None = Field(description="A username, or null to unassign.")
    reason: str = ""
