"""What the platform fakes share: the inbound item a test injects, the webhook it becomes,
the service interface, id generators and time formats."""

from __future__ import annotations

import base64
import hashlib
import itertools
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from careline.fakeplatform.config import FakeConfig
from careline.fakeplatform.web import Request, Response, Router, json_response

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class InboundError(ValueError):
    """An inbound item the fake cannot turn into platform traffic; ``status`` is the control
    API's answer (400 for a bad item, 409 when no webhook target is configured)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class InboundSpec:
    """The simple item a test or the demo hands to ``POST /_fake/inbound/{platform}``."""

    text: str
    author_id: str = ""
    author_name: str = ""
    handle: str = ""
    public: bool | None = None  # None: the platform's usual visibility
    reply_to: str = ""
    id: str = ""
    kind: str = ""
    created_at: datetime | None = None
    target: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)

    _FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"text", "author_id", "author_name", "handle", "public", "reply_to", "id", "kind"}
        | {"created_at", "target"}
    )

    @classmethod
    def parse(cls, data: Any) -> InboundSpec:
        """Raises InboundError for a malformed item. Unknown keys are platform options
        (``post_id``, ``media_id``, ``webhook``)."""
        if not isinstance(data, Mapping):
            raise InboundError("the item must be a JSON object")
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InboundError("the item needs a non-empty 'text'")
        strings = {}
        for key in ("author_id", "author_name", "handle", "reply_to", "id", "kind", "target"):
            value = data.get(key, "")
            if value is None:
                value = ""
            if isinstance(value, bool) or not isinstance(value, str | int):
                raise InboundError(f"'{key}' must be a string")
            strings[key] = str(value).strip()
        public = data.get("public")
        if public is not None and not isinstance(public, bool):
            raise InboundError("'public' must be true or false")
        created = data.get("created_at")
        created_at = None
        if created is not None:
            try:
                created_at = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
            except ValueError as exc:
                raise InboundError("'created_at' must be an ISO 8601 time") from exc
            if created_at.tzinfo is None:
                raise InboundError("'created_at' needs a time zone (add Z)")
        return cls(
            text=text,
            public=public,
            created_at=created_at,
            handle=strings.pop("handle").lstrip("@"),
            options={k: v for k, v in data.items() if k not in cls._FIELDS},
            **strings,
        )

    def when(self, clock: Clock) -> datetime:
        return self.created_at or clock()

    def name(self) -> str:
        return self.author_name or self.handle or self.author_id or "Customer"


@dataclass
class Webhook:
    """A delivery the fake will POST to careline: exact bytes and headers."""

    url: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Injection:
    ids: dict[str, str]
    webhook: Webhook | None = None
    queued: bool = False  # waits in a timeline for careline's next poll


class Service(ABC):
    """One platform (or platform family) mounted under ``prefix``."""

    name: ClassVar[str]
    prefix: ClassVar[str]
    platforms: ClassVar[tuple[str, ...]]

    def __init__(self, config: FakeConfig, *, clock: Clock, stopping: threading.Event) -> None:
        self.config = config
        self.now = clock
        self.stopping = stopping
        self.router = Router()
        self.routes()
        self.reset()

    @abstractmethod
    def routes(self) -> None:
        """Register the endpoints on ``self.router``."""

    def dispatch(self, request: Request) -> tuple[str, Response]:
        """(endpoint name, response) for a request below ``prefix``."""
        found = self.router.match(request.method, request.path)
        if found is None:
            allowed = self.router.allows(request.path)
            return f"{request.method} {request.path}", self.not_found(request, allowed)
        route, params = found
        return route.endpoint, route.handler(request, params)

    def dispatch_name(self, request: Request) -> str:
        """The endpoint a request is for, as records name it, without serving it."""
        found = self.router.match(request.method, request.path)
        return found[0].endpoint if found else f"{request.method} {request.path}"

    def not_found(self, request: Request, allowed: list[str]) -> Response:
        if allowed:
            return json_response(405, {"error": f"use {' or '.join(allowed)}"})
        return json_response(404, {"error": f"the fake {self.name} has no {request.path}"})

    @abstractmethod
    def throttled(self, request: Request, *, status: int, retry_after: float) -> Response:
        """The platform's rate-limit answer, with its documented headers."""

    @abstractmethod
    def failed(self, request: Request, *, status: int) -> Response:
        """The platform's answer to a server-side failure."""

    @abstractmethod
    def inbound(self, platform: str, spec: InboundSpec, target: str) -> Injection:
        """Make ``spec`` exist on the platform; a webhook to ``target`` for pushed platforms.
        Raises InboundError."""

    @abstractmethod
    def credentials(self, base_url: str) -> dict[str, dict[str, str]]:
        """careline channel credentials per platform, pointing at this fake."""

    @abstractmethod
    def reset(self) -> None:
        """Start from an empty platform: forget everything posted or injected (the brand's
        accounts stay, they come from the configuration)."""


class Counter:
    """Thread-safe increasing integers."""

    def __init__(self, start: int = 1) -> None:
        self._next = itertools.count(start)
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            return next(self._next)


def stable_digits(seed: str, length: int) -> str:
    """A numeric id derived from ``seed``: the same person gets the same id every time."""
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    return str(number % (9 * 10 ** (length - 1)) + 10 ** (length - 1))


def stable_base32(seed: str, length: int) -> str:
    raw = base64.b32encode(hashlib.sha256(seed.encode()).digest()).decode().lower()
    return raw.rstrip("=")[:length]


def iso_z(moment: datetime) -> str:
    """``2026-11-02T09:00:00.000Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def graph_time(moment: datetime) -> str:
    """``2026-11-02T09:00:00+0000``, Meta's format."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def require_target(platform: str, target: str) -> str:
    if not target:
        raise InboundError(
            f"no careline webhook URL for {platform}: start the fake with --careline-url or "
            f"--target {platform}=URL, POST /_fake/targets, or give 'target' in the item",
            status=409,
        )
    return target
