"""Mastodon wire format → careline dataclasses and back. Pure functions: no HTTP, no clock.

Status ``content`` is HTML (sanitised by the author's server, which careline does not trust):
it becomes plain text here, and no markup survives.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from careline.connectors.base import (
    ConnectorError,
    InboundItem,
    PayloadError,
    ReplyMode,
    follower_count,
)
from careline.lib.text import grapheme_count
from careline.lib.times import parse_iso_datetime

log = logging.getLogger(__name__)

DEFAULT_MAX_CHARACTERS = 500
URL_CHARACTERS = 23  # every link counts as 23 characters, however long
DEFAULT_MAX_TEXT_CHARS = 20_000
MAX_NOTIFICATIONS_PER_BODY = 1000
VISIBLE_TO_ALL = ("public", "unlisted")

# --- HTML to text ---------------------------------------------------------------------------

# Elements whose content is never shown as text.
_DROPPED = {
    "script",
    "style",
    "template",
    "noscript",
    "head",
    "title",
    "iframe",
    "object",
    "svg",
    "math",
    "select",
    "textarea",
}
_BLOCKS = {
    "div",
    "blockquote",
    "ul",
    "ol",
    "li",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tr",
    "section",
    "article",
    "header",
    "footer",
}
# Break markers between text parts: a block ends the line, a paragraph leaves a blank line,
# each <br> adds one line break (two in a row make a blank line).
_BR, _LINE, _PARAGRAPH = 0, 1, 2
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str | int] = []  # text, or a number of line breaks
        self._dropped = 0

    def _break(self, size: int) -> None:
        if not self._dropped:
            self.parts.append(size)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self._dropped += 1
        elif tag == "br":
            self._break(_BR)
        elif tag == "p":
            self._break(_PARAGRAPH)
        elif tag in _BLOCKS:
            self._break(_LINE)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <img/>, <script/>: nothing opens, so nothing must wait for a close.
        if tag == "br":
            self._break(_BR)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._dropped = max(0, self._dropped - 1)
        elif tag == "p":
            self._break(_PARAGRAPH)
        elif tag in _BLOCKS:
            self._break(_LINE)

    def handle_data(self, data: str) -> None:
        if not self._dropped:
            self.parts.append(_HTML_SPACE.sub(" ", data))


def html_to_text(html: str) -> str:
    """Plain text of a status's HTML ``content``: tags removed, entities decoded.

    ``<p>`` becomes a paragraph break, ``<br>`` and other blocks a line break; script, style
    and similar elements are dropped with their content; the hidden parts of Mastodon's
    shortened links are kept, so URLs come out whole. Control characters other than tab and
    newline are removed. The result holds no markup, though it may hold "<" typed as text.
    """
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    chunks: list[str] = []
    pending = 0
    for part in parser.parts:
        if isinstance(part, int):
            pending = min(2, pending + 1) if part == _BR else max(pending, part)
            continue
        text = _CONTROL.sub("", part)
        if not text.strip():
            # Whitespace between blocks is not text: it must not hold a break open.
            if text and chunks and not pending:
                chunks.append(" ")
            continue
        if chunks and pending:
            chunks.append("\n" * pending)
        pending = 0
        chunks.append(text)
    # Whitespace in HTML source is one space at most; the breaks above are the only newlines.
    lines = [re.sub(" {2,}", " ", line).strip(" ") for line in "".join(chunks).split("\n")]
    return "\n".join(lines).strip()


# --- notifications ----------------------------------------------------------------------------


def parse_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from the platform's ISO 8601 string, or None (see lib.times)."""
    return parse_iso_datetime(value)


def id_order(value: str) -> tuple[int, str]:
    """Sort key for Mastodon ids: numeric strings compare as numbers ("99" < "100")."""
    return (len(value), value) if value.isdigit() else (0, value)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def notifications_in(document: Any) -> list[Mapping[str, Any]]:
    """The notifications in one notification object or a list of them (an API page)."""
    records = document if isinstance(document, list) else [document]
    if len(records) > MAX_NOTIFICATIONS_PER_BODY:
        raise PayloadError(f"more than {MAX_NOTIFICATIONS_PER_BODY} notifications in one body")
    for index, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise PayloadError(f"notification {index} is not an object")
    return records


def load_notifications(body: bytes | str) -> list[Mapping[str, Any]]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"body is not valid JSON: {exc}") from exc
    return notifications_in(document)


def item_from_notification(
    notification: Mapping[str, Any], *, account_id: str, max_text_chars: int
) -> InboundItem | None:
    """The item for a ``mention`` notification.

    Returns None for other notification types, for a mention whose status is gone and for the
    brand's own statuses. Raises PayloadError when a mention lacks what careline needs.
    """
    if notification.get("type") != "mention":
        return None
    status = notification.get("status")
    if status is None:
        return None  # the status was deleted before careline read the notification
    if not isinstance(status, Mapping):
        raise PayloadError("mention notification has no status object")
    status_id = status.get("id")
    if not isinstance(status_id, str | int) or isinstance(status_id, bool) or not str(status_id):
        raise PayloadError("mention notification's status has no id")
    account = status.get("account")
    if not isinstance(account, Mapping) or not account.get("id"):
        raise PayloadError(f"status {status_id} has no account id")
    author_id = str(account["id"])
    if account_id and author_id == account_id:
        return None
    created_at = parse_datetime(status.get("created_at")) or parse_datetime(
        notification.get("created_at")
    )
    if created_at is None:
        raise PayloadError(f"status {status_id} has no created_at time")
    content = status.get("content") or ""
    if not isinstance(content, str):
        raise PayloadError(f"status {status_id}: content must be a string")

    text = html_to_text(content)
    visibility = str(status.get("visibility") or "public")
    acct = str(account.get("acct") or account.get("username") or "")
    extra: dict[str, Any] = {
        "notification_id": str(notification.get("id") or ""),
        "visibility": visibility,
        "url": str(status.get("url") or status.get("uri") or ""),
        "acct": acct,
    }
    if status.get("language"):
        extra["language"] = str(status["language"])
    if status.get("spoiler_text"):
        extra["spoiler_text"] = str(status["spoiler_text"])
    attachments = [
        str(_mapping(media).get("url"))
        for media in status.get("media_attachments") or []
        if _mapping(media).get("url")
    ]
    if attachments:
        extra["attachments"] = attachments
    if len(text) > max_text_chars:
        text = text[:max_text_chars]
        extra["truncated"] = True

    return InboundItem(
        external_id=str(status_id),
        author_id=author_id,
        author_handle="@" + acct if acct else "",
        author_name=str(account.get("display_name") or acct),
        text=text,
        created_at=created_at,
        public=visibility in VISIBLE_TO_ALL,
        reply_to=str(status.get("in_reply_to_id") or ""),
        kind="dm" if visibility == "direct" else "mention",
        extra=extra,
        author_followers=follower_count(account.get("followers_count")),
    )


def items_from_notifications(
    notifications: Sequence[Mapping[str, Any]], *, account_id: str, max_text_chars: int
) -> list[InboundItem]:
    """Items for the mention notifications, oldest first. Raises PayloadError naming the
    first notification careline cannot read."""
    keyed = []
    for index, notification in enumerate(notifications):
        try:
            item = item_from_notification(
                notification, account_id=account_id, max_text_chars=max_text_chars
            )
        except PayloadError as exc:
            raise PayloadError(f"notification {index}: {exc}") from exc
        if item is not None:
            keyed.append((id_order(str(notification.get("id") or "")), item))
    keyed.sort(key=lambda pair: pair[0])
    return [item for _, item in keyed]


# --- server-sent events (streaming API) -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SseEvent:
    event: str
    data: str


def iter_sse_events(lines: Iterable[str]) -> Iterator[SseEvent]:
    """Events in a server-sent-event stream, given line by line.

    Lines starting with ":" are comments (Mastodon's heartbeats). ``data`` lines of one event
    are joined with newlines; a blank line ends the event. An event cut off before its blank
    line is not yielded (the spec discards it too).
    """
    event = ""
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                yield SseEvent(event=event or "message", data="\n".join(data))
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        # "id" and "retry" are not used by Mastodon; unknown fields are ignored by the spec.


def iter_notification_payloads(lines: Iterable[str]) -> Iterator[str]:
    """The raw JSON of each ``notification`` event; other events are ignored."""
    for event in iter_sse_events(lines):
        if event.event == "notification":
            yield event.data


def iter_stream_events(
    lines: Iterable[str],
    *,
    account_id: str = "",
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS,
) -> Iterator[InboundItem]:
    """Items for the mention notifications in a stream. An unreadable event is logged and
    skipped: one bad event must not end the stream."""
    for payload in iter_notification_payloads(lines):
        try:
            notifications = load_notifications(payload)
            for notification in notifications:
                item = item_from_notification(
                    notification, account_id=account_id, max_text_chars=max_text_chars
                )
                if item is not None:
                    yield item
        except PayloadError as exc:
            log.warning("skipping a Mastodon stream event: %s", exc)


# --- replies ----------------------------------------------------------------------------------

# Mastodon counts a link as 23 characters and a mention without its domain.
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_REMOTE_MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)@[\w.-]+\w", re.IGNORECASE
)
_LEADING_MENTIONS = re.compile(r"^(?:\s*@[\w.-]+(?:@[\w.-]+\w)?)+\s*")


def status_length(text: str) -> int:
    """The length Mastodon counts: grapheme clusters, with each URL as 23 characters and
    ``@user@domain`` as ``@user``."""
    countable = _URL.sub("x" * URL_CHARACTERS, text)
    countable = _REMOTE_MENTION.sub(r"@\1", countable)
    return grapheme_count(countable)


def ensure_mention(text: str, acct: str) -> str:
    """``text`` starting with ``@acct``, as Mastodon replies do; a direct status reaches only
    the accounts it mentions. Unchanged when it already starts with that mention."""
    mention = "@" + acct.lstrip("@")
    body = text.lstrip()
    if re.match(re.escape(mention) + r"(?![\w@-])(?!\.\w)", body, re.IGNORECASE):
        return text
    return f"{mention} {body}"


def strip_leading_mentions(text: str) -> str:
    return _LEADING_MENTIONS.sub("", text, count=1).strip()


def reply_visibility(mode: ReplyMode, original: str | None) -> str:
    """The visibility of a reply: a public reply keeps the original's public or unlisted
    visibility (never widening it); everything else, and an answer to a followers-only or
    direct status, is a direct status."""
    if mode is ReplyMode.PUBLIC_REPLY:
        if original is None:
            return "public"
        if original in VISIBLE_TO_ALL:
            return original
    return "direct"


# --- HTTP answers -----------------------------------------------------------------------------

_RETRYABLE_4XX = {408, 425, 429}


def link_param(response: httpx.Response, rel: str, param: str) -> str:
    """A query parameter of the ``Link`` header's ``rel`` URL, or ""."""
    url = response.links.get(rel, {}).get("url", "")
    values = parse_qs(urlsplit(url).query).get(param) if url else None
    return values[0] if values else ""


def retry_after_seconds(headers: Mapping[str, str], *, now: datetime) -> float | None:
    """Seconds until ``X-RateLimit-Reset`` (an ISO 8601 time), else ``Retry-After``."""
    reset = parse_datetime(headers.get("x-ratelimit-reset"))
    if reset is not None:
        return max(0.0, (reset - now).total_seconds())
    retry_after = headers.get("retry-after")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            return None
    return None


def error_for_response(response: httpx.Response, *, what: str, now: datetime) -> ConnectorError:
    """A ConnectorError saying why Mastodon refused ``what``; permanent unless retrying helps."""
    code = response.status_code
    message = ""
    try:
        body = response.json()
        if isinstance(body, Mapping):
            message = str(body.get("error_description") or body.get("error") or "")
    except ValueError:
        message = response.text[:200]
    permanent = 400 <= code < 500 and code not in _RETRYABLE_4XX
    return ConnectorError(
        f"Mastodon {what} failed (HTTP {code}): {message[:300] or response.reason_phrase}",
        permanent=permanent,
        status_code=code,
        retry_after=retry_after_seconds(response.headers, now=now) if code == 429 else None,
    )
