"""Requests, responses and routing for the fake platform: plain stdlib, no framework."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

JSON_TYPE = "application/json; charset=utf-8"
FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass
class Request:
    """One HTTP request, its path relative to the platform's mount point."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes
    base_url: str = ""  # scheme://host:port of the fake platform itself, as the client saw it
    full_path: str = ""

    def param(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def params(self, name: str) -> list[str]:
        return list(self.query.get(name, []))

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def bearer(self) -> str:
        value = self.header("authorization")
        scheme, _, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""

    def is_json(self) -> bool:
        return "json" in self.header("content-type").lower()

    def json(self) -> Any:
        """The decoded JSON body; None for an empty body. Raises ValueError when it is not JSON."""
        if not self.body.strip():
            return None
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        """An urlencoded body as {name: first value}."""
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}

    def fields(self) -> dict[str, Any]:
        """The body's fields, JSON object or form, whichever was sent. Raises ValueError."""
        if self.is_json():
            document = self.json()
            if document is None:
                return {}
            if not isinstance(document, dict):
                raise ValueError("the body must be a JSON object")
            return document
        return dict(self.form())


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # A streamed body (server-sent events): written chunk by chunk, the connection then closes.
    stream: Iterator[bytes] | None = None
    # Which platform the request concerned, when the mount serves several (Meta's Graph API).
    platform: str = ""
    note: str = ""

    def payload(self) -> Any:
        """The body for the record: decoded JSON, else text."""
        return decode_body(self.body, self.headers.get("Content-Type", ""))


def json_response(
    status: int,
    payload: Any,
    headers: Mapping[str, str] | None = None,
    *,
    platform: str = "",
    note: str = "",
) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return Response(
        status,
        body,
        {"Content-Type": JSON_TYPE, **(headers or {})},
        platform=platform,
        note=note,
    )


def decode_body(body: bytes, content_type: str) -> Any:
    """A body as the record shows it: JSON decoded, a form as a dict, else text; None if empty."""
    if not body:
        return None
    text = body.decode("utf-8", "replace")
    kind = content_type.lower()
    if "json" in kind or (not kind and text.lstrip()[:1] in "{["):
        try:
            return json.loads(text)
        except ValueError:
            return text
    if FORM_TYPE in kind:
        parsed = parse_qs(text, keep_blank_values=True)
        return {key: values[0] if len(values) == 1 else values for key, values in parsed.items()}
    return text


Handler = Callable[[Request, dict[str, str]], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    endpoint: str  # how the record names it, e.g. "POST /{version}/{comment-id}/comments"
    handler: Handler


class Router:
    """Regex routes; path parameters arrive percent-decoded."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, pattern: str, endpoint: str, handler: Handler) -> None:
        self.routes.append(Route(method, re.compile(pattern), endpoint, handler))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route for (method, path), or None. A path served under another method only
        matches a route of method "*"."""
        for route in self.routes:
            found = route.pattern.fullmatch(path)
            if found and route.method in (method, "*"):
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    def allows(self, path: str) -> list[str]:
        return [r.method for r in self.routes if r.pattern.fullmatch(path)]
