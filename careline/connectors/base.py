"""The connector contract. Connectors turn a platform's wire format into these dataclasses
and back; they never touch the database, and they do HTTP only through careline.lib.http.

A connector instance is built per channel from its decrypted credentials. Only ingestion and
the outbox call connectors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar


class Action(StrEnum):
    """What an inbound event does to the item it names."""

    ADD = "add"
    EDIT = "edit"  # ``text`` holds the new text
    DELETE = "delete"
    HIDE = "hide"
    UNHIDE = "unhide"


@dataclass(frozen=True, slots=True)
class InboundItem:
    """One post, comment or direct message (or a change to one), normalised."""

    external_id: str
    author_id: str
    author_handle: str
    author_name: str
    text: str
    created_at: datetime
    public: bool
    reply_to: str = ""
    action: Action = Action.ADD
    # Found by keyword listening, not addressed to the brand: never auto-replied to.
    indirect: bool = False
    # The platform's own word for it: "comment", "post", "tweet", "dm", "mention", …
    kind: str = ""
    # Unknown or extra fields worth keeping (e.g. Instagram media id, attachment URLs).
    extra: Mapping[str, Any] = field(default_factory=dict)
    # The author's follower count when the platform sends it (X, Mastodon): their reach.
    author_followers: int | None = None


def follower_count(value: Any) -> int | None:
    """A platform's follower count as an int, or None when it is absent or not a count."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


class ReplyMode(StrEnum):
    PUBLIC_REPLY = "public_reply"  # answer in public under the post/comment
    PRIVATE_REPLY = "private_reply"  # one private message answering a public comment (Meta)
    MESSAGE = "message"  # a direct message in an existing private conversation


@dataclass(frozen=True, slots=True)
class OutboundReply:
    text: str
    public: bool
    reply_to_external_id: str
    recipient_external_id: str
    idempotency_key: str
    mode: ReplyMode | None = None  # None: PUBLIC_REPLY if public else MESSAGE
    # Facts for the platform's rules (windows, once-only), filled in by the outbox.
    last_customer_message_at: datetime | None = None
    replied_item_created_at: datetime | None = None
    private_reply_already_sent: bool = False
    human_agent: bool = False  # a person wrote it (Meta HUMAN_AGENT tag, 7-day window)

    @property
    def effective_mode(self) -> ReplyMode:
        if self.mode is not None:
            return self.mode
        return ReplyMode.PUBLIC_REPLY if self.public else ReplyMode.MESSAGE


@dataclass(frozen=True, slots=True)
class SendResult:
    external_id: str
    status_code: int


@dataclass(frozen=True, slots=True)
class Handshake:
    """The answer to a platform's GET verification (Meta hub.challenge, X CRC)."""

    status: int
    body: str
    content_type: str = "text/plain"


@dataclass(frozen=True, slots=True)
class PollResult:
    items: list[InboundItem]
    # Opaque to careline: stored as is and handed back on the next poll.
    cursor: Mapping[str, str]


class PayloadError(ValueError):
    """A payload or row that cannot be turned into an item; the message says why."""


class RuleViolation(ValueError):
    """A reply the platform would refuse (window closed, once-only used, too long).

    The message is for the agent, e.g. "Messenger window closed 3 h ago — reply publicly or
    use a human-agent reply".
    """


class ConnectorError(Exception):
    """A failed platform call. ``permanent`` failures are not retried; ``retry_after`` (seconds)
    comes from the platform's rate-limit headers when it sent them."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.status_code = status_code
        self.retry_after = retry_after


class Connector(ABC):
    platform: ClassVar[str]

    def __init__(self, *, credentials: Mapping[str, Any], account_id: str = "") -> None:
        self.credentials = dict(credentials)
        self.account_id = account_id

    # --- inbound --------------------------------------------------------------------------

    @abstractmethod
    def verify(self, *, body: bytes, headers: Mapping[str, str]) -> bool:
        """True when the request really comes from the platform (signature over the raw body)."""

    def handshake(self, params: Mapping[str, str]) -> Handshake | None:
        """Answer a GET verification request, or None when the platform has none."""
        return None

    @abstractmethod
    def parse(self, body: bytes, *, max_text_chars: int) -> list[InboundItem]:
        """The items in a delivery. Raises PayloadError for a malformed payload. Drops the
        brand's own posts and echoes."""

    def poll(self, cursor: Mapping[str, str] | None, *, timeout: float) -> PollResult:
        """Fetch what arrived since ``cursor`` (None: first poll). Raises ConnectorError."""
        raise ConnectorError(f"{self.platform} is not polled", permanent=True)

    # --- outbound -------------------------------------------------------------------------

    def check(self, reply: OutboundReply, *, now: datetime) -> None:
        """Raise RuleViolation if the platform would refuse this reply. Pure: no HTTP."""
        return None

    @abstractmethod
    def send(self, reply: OutboundReply, *, timeout: float) -> SendResult:
        """Deliver one reply. Raises ConnectorError."""

    def find_sent(self, reply: OutboundReply, *, timeout: float) -> SendResult | None:
        """After a timeout, look for the reply on the platform so a retry cannot post twice.

        Connectors whose platform honours an idempotency key need not implement it.
        """
        return None

    def moderate(self, external_id: str, action: Action, *, timeout: float) -> None:
        """Hide, unhide or delete an item on the platform. Raises ConnectorError."""
        raise ConnectorError(f"{self.platform} cannot {action} items", permanent=True)
