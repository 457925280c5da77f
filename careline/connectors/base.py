"""The connector contract. Connectors turn a platform's wire format into these dataclasses
and back; they never touch the database, and they do HTTP only through careline.lib.http."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class InboundItem:
    """One post, comment or direct message, normalised."""

    external_id: str
    author_id: str
    author_handle: str
    author_name: str
    text: str
    created_at: datetime
    public: bool
    reply_to: str = ""


@dataclass(frozen=True, slots=True)
class OutboundReply:
    text: str
    public: bool
    reply_to_external_id: str
    recipient_external_id: str
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class SendResult:
    external_id: str
    status_code: int


class PayloadError(ValueError):
    """A payload or row that cannot be turned into an item; the message says why."""


class ConnectorError(Exception):
    """A failed platform call. ``permanent`` failures are not retried."""

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

    @abstractmethod
    def verify(self, *, body: bytes, headers: Mapping[str, str]) -> bool:
        """True when the request really comes from the platform (signature over the raw body)."""

    @abstractmethod
    def parse(self, body: bytes, *, max_text_chars: int) -> list[InboundItem]:
        """The items in a delivery. Raises PayloadError for a malformed payload."""

    @abstractmethod
    def send(self, reply: OutboundReply, *, timeout: float) -> SendResult:
        """Deliver one reply. Raises ConnectorError."""
