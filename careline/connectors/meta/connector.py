"""Meta connectors: Facebook Page comments, Instagram professional accounts, Messenger.

Credentials (one dict per channel, stored encrypted):

- ``app_secret`` — the Meta app's secret: checks ``X-Hub-Signature-256`` on deliveries and
  signs every Graph call (``appsecret_proof``).
- ``verify_token`` — the string the admin typed into the app's webhook settings; answered in the
  ``hub.challenge`` handshake.
- ``page_access_token`` — a long-lived Page token (Facebook Login), used for all three platforms.
- ``page_id`` — the Facebook Page id; the channel account id of Facebook and Messenger channels
  (falls back to the channel's ``account_id``). Instagram channels need it for private replies
  and direct messages, which go through the linked Page.
- ``instagram_account_id`` — the Instagram professional account id; the channel account id of
  Instagram channels (falls back to the channel's ``account_id``).
- ``graph_version`` — optional, default ``v21.0``: the pinned Graph API version.
- ``graph_host`` — optional, default ``https://graph.facebook.com``; every URL is built from it,
  so tests and the fake platform can point the connector elsewhere.

Routing: one Page webhook delivery (``object: "page"``) carries both feed changes and Messenger
events. FacebookConnector returns only the feed items and MessengerConnector only the messaging
items, so ingestion hands the same delivery to the Facebook and the Messenger channel of that
Page; each keeps its own part. Instagram deliveries (``object: "instagram"``) go to the Instagram
channel, which returns comments, mentions and direct messages. ``payloads.entry_account_ids``
lists the accounts a delivery concerns.

Requests: the Page token travels in an ``Authorization: Bearer`` header, never in a URL (URLs
end up in logs); ``appsecret_proof`` is a query parameter of every call.

Rate limits: a throttling error becomes a temporary ConnectorError whose ``retry_after`` comes
from ``X-Business-Use-Case-Usage`` (``estimated_time_to_regain_access``, minutes) or is 60 s.
On success, ``usage_pressure(headers)`` turns the usage headers into a pause: after every call the
connector keeps it in ``last_usage_pressure`` (seconds, or None) so the outbox can slow down
before Meta throttles the Page.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

import httpx

from careline.connectors.base import (
    Action,
    Connector,
    ConnectorError,
    Handshake,
    InboundItem,
    OutboundReply,
    ReplyMode,
    RuleViolation,
    SendResult,
)
from careline.connectors.meta import payloads
from careline.lib import http
from careline.lib.crypto import hmac_sha256_hex, signature_matches

DEFAULT_GRAPH_HOST = "https://graph.facebook.com"
DEFAULT_GRAPH_VERSION = "v21.0"
SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="

STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
PRIVATE_REPLY_WINDOW = timedelta(days=7)
# Messenger: "UTF-8 and less than 2000 characters".
MESSENGER_TEXT_LIMIT = 2000
# Instagram direct messages: Meta's pages say both "less than 1000 characters" and "UTF-8,
# 1000 bytes or less"; careline enforces both.
INSTAGRAM_DM_LIMIT = 1000
INSTAGRAM_DM_BYTES = 1000
# Facebook comments accept far more than anyone should write to a customer; 8000 characters
# keeps a reply readable and well under the platform's own ceiling.
FACEBOOK_COMMENT_LIMIT = 8000
# Instagram captions and comments: 2200 characters.
INSTAGRAM_COMMENT_LIMIT = 2200

# Graph error codes: throttling is temporary, most of the rest permanent.
THROTTLING_CODES = frozenset({4, 17, 32, 341, 613, 80001, 80002, 80006})
TRANSIENT_CODES = frozenset({1, 2})  # "unknown error", "service temporarily unavailable"
ALREADY_REPLIED = 10900
CANNOT_REPLY = 10903
INVALID_TOKEN = 190
DEFAULT_BACKOFF_SECONDS = 60.0
USAGE_PAUSE_PERCENT = 95.0
_USAGE_KEYS = ("call_count", "total_time", "total_cputime")


def appsecret_proof(app_secret: str, access_token: str) -> str:
    """hex HMAC-SHA256 keyed with the app secret over the access token."""
    return hmac_sha256_hex(app_secret, access_token.encode())


def usage_pressure(headers: Mapping[str, str]) -> float | None:
    """Seconds to pause calls for this token, read from a successful response's headers.

    ``X-Business-Use-Case-Usage`` with ``estimated_time_to_regain_access`` > 0 (minutes) → that
    time; any usage figure in it or in ``X-App-Usage`` at or above 95 % → 60 s; otherwise (or
    when the headers are absent or unreadable) None.
    """
    peak = 0.0
    app = _json_header(headers, "X-App-Usage")
    if isinstance(app, dict):
        peak = _peak_usage(app)
    for usage in _business_usages(headers):
        peak = max(peak, _peak_usage(usage))
    regain = _regain_seconds(headers)
    if regain is not None:
        return regain
    if peak >= USAGE_PAUSE_PERCENT:
        return DEFAULT_BACKOFF_SECONDS
    return None


def _business_usages(headers: Mapping[str, str]) -> list[Mapping[str, Any]]:
    """The usage objects of ``X-Business-Use-Case-Usage`` ({business id: [usage, …]})."""
    business = _json_header(headers, "X-Business-Use-Case-Usage")
    if not isinstance(business, dict):
        return []
    return [
        usage
        for usages in business.values()
        if isinstance(usages, list)
        for usage in usages
        if isinstance(usage, dict)
    ]


def _regain_seconds(headers: Mapping[str, str]) -> float | None:
    """The longest ``estimated_time_to_regain_access`` (minutes) in seconds, None when 0/absent."""
    minutes = max(
        (_number(u.get("estimated_time_to_regain_access")) for u in _business_usages(headers)),
        default=0.0,
    )
    return minutes * 60 if minutes > 0 else None


def _peak_usage(usage: Mapping[str, Any]) -> float:
    return max((_number(usage.get(key)) for key in _USAGE_KEYS), default=0.0)


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return 0.0
    return 0.0


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value or ""


def _json_header(headers: Mapping[str, str], name: str) -> Any:
    raw = _header(headers, name)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


class MetaConnector(Connector):
    """What the three Meta platforms share: handshake, signature, Graph calls, errors, limits,
    the messaging windows. Subclasses say which items and reply modes are theirs."""

    platform: ClassVar[str]
    label: ClassVar[str]  # how agents know the platform, in rule messages
    reply_modes: ClassVar[frozenset[ReplyMode]]
    message_limit: ClassVar[int] = MESSENGER_TEXT_LIMIT  # characters, exclusive
    message_bytes: ClassVar[int | None] = None  # UTF-8 bytes, inclusive
    hide_parameter: ClassVar[str] = ""  # the Graph parameter that hides a comment, "" if none

    def __init__(self, *, credentials: Mapping[str, Any], account_id: str = "") -> None:
        super().__init__(credentials=credentials, account_id=account_id)
        #: Seconds to pause this token after the last successful call (see usage_pressure).
        self.last_usage_pressure: float | None = None

    # --- configuration --------------------------------------------------------------------

    def _credential(self, key: str) -> str:
        value = self.credentials.get(key)
        return str(value).strip() if value is not None else ""

    @property
    def page_id(self) -> str:
        return self._credential("page_id")

    @property
    def base_url(self) -> str:
        host = (self._credential("graph_host") or DEFAULT_GRAPH_HOST).rstrip("/")
        version = self._credential("graph_version") or DEFAULT_GRAPH_VERSION
        if not version.startswith("v"):
            version = "v" + version
        return f"{host}/{version}"

    def graph_url(self, *segments: str) -> str:
        # IDs are opaque: quote them so an odd id cannot change the path.
        return "/".join([self.base_url, *(quote(segment, safe="") for segment in segments)])

    # --- inbound --------------------------------------------------------------------------

    def handshake(self, params: Mapping[str, str]) -> Handshake:
        """200 with the raw ``hub.challenge`` when mode is "subscribe" and the verify token
        matches the channel's; 403 otherwise (also when the channel has no verify token)."""
        expected = self._credential("verify_token")
        mode = params.get("hub.mode", "")
        token = params.get("hub.verify_token", "")
        challenge = params.get("hub.challenge", "")
        token_ok = bool(expected) and hmac.compare_digest(token.encode(), expected.encode())
        if mode == "subscribe" and token_ok and challenge:
            return Handshake(status=200, body=challenge)
        return Handshake(status=403, body="verification failed")

    def verify(self, *, body: bytes, headers: Mapping[str, str]) -> bool:
        """``X-Hub-Signature-256`` over the raw body, keyed with the app secret, compared in
        constant time. The legacy sha1 ``X-Hub-Signature`` is never accepted."""
        return signature_matches(
            self._credential("app_secret"),
            body,
            _header(headers, SIGNATURE_HEADER),
            prefix=SIGNATURE_PREFIX,
        )

    # --- outbound: rules --------------------------------------------------------------------

    def check(self, reply: OutboundReply, *, now: datetime) -> None:
        """Raise RuleViolation with a message for the agent when Meta would refuse the reply.

        Unknown facts (no ``last_customer_message_at``, no ``replied_item_created_at``) are not
        held against the reply: the platform has the last word.
        """
        mode = reply.effective_mode
        if mode not in self.reply_modes:
            raise RuleViolation(self._unsupported(mode))
        if not reply.text.strip():
            raise RuleViolation("The reply is empty — write a message before sending")
        if mode is ReplyMode.PUBLIC_REPLY:
            limit = self._public_limit()
            if len(reply.text) > limit:
                raise RuleViolation(
                    f"{self.label} replies are limited to {limit} characters here; this one has "
                    f"{len(reply.text)} — shorten it"
                )
            return
        self._check_message_length(reply.text)
        if mode is ReplyMode.PRIVATE_REPLY:
            if reply.private_reply_already_sent:
                raise RuleViolation(
                    "A private reply was already sent for this comment — Meta allows one; "
                    "reply publicly, or continue in the inbox once the customer answers"
                )
            created = reply.replied_item_created_at
            if created is not None and now - created > PRIVATE_REPLY_WINDOW:
                raise RuleViolation(
                    f"Private-reply window closed {_ago(now - created - PRIVATE_REPLY_WINDOW)} "
                    "ago (7 days after the comment) — reply publicly"
                )
            return
        last = reply.last_customer_message_at
        if last is None:
            return
        age = now - last
        if age <= STANDARD_WINDOW or (reply.human_agent and age <= HUMAN_AGENT_WINDOW):
            return
        if age <= HUMAN_AGENT_WINDOW:
            raise RuleViolation(
                f"{self.label} window closed {_ago(age - STANDARD_WINDOW)} ago — reply publicly "
                "or use a human-agent reply"
            )
        if reply.human_agent:
            raise RuleViolation(
                f"{self.label} human-agent window closed {_ago(age - HUMAN_AGENT_WINDOW)} ago "
                "(7 days after the customer's last message) — wait for the customer to write"
            )
        raise RuleViolation(
            f"{self.label} window closed {_ago(age - STANDARD_WINDOW)} ago, and the 7-day "
            "human-agent window too — wait for the customer to write"
        )

    def _check_message_length(self, text: str) -> None:
        if len(text) >= self.message_limit:
            raise RuleViolation(
                f"{self.label} messages must be shorter than {self.message_limit} characters; "
                f"this one has {len(text)} — shorten it or split it"
            )
        size = len(text.encode("utf-8"))
        if self.message_bytes is not None and size > self.message_bytes:
            raise RuleViolation(
                f"{self.label} messages are limited to {self.message_bytes} bytes; this one has "
                f"{size} (emoji and accented letters take several) — shorten it or split it"
            )

    def _public_limit(self) -> int:
        return FACEBOOK_COMMENT_LIMIT

    def _unsupported(self, mode: ReplyMode) -> str:
        return f"{self.label} cannot send a {mode.value.replace('_', ' ')}"

    # --- outbound: calls --------------------------------------------------------------------

    def send(self, reply: OutboundReply, *, timeout: float) -> SendResult:
        """Deliver one reply; runs ``check`` first (a violation is a permanent error).

        Returns the new comment id (public reply) or message id. Raises ConnectorError.
        """
        now = datetime.now(UTC)
        try:
            self.check(reply, now=now)
        except RuleViolation as exc:
            raise ConnectorError(str(exc), permanent=True) from exc
        mode = reply.effective_mode
        if mode is ReplyMode.PUBLIC_REPLY:
            return self._public_reply(reply, timeout=timeout)
        if mode is ReplyMode.PRIVATE_REPLY:
            body: dict[str, Any] = {
                "recipient": {"comment_id": self._required(reply.reply_to_external_id, "comment")},
                "message": {"text": reply.text},
            }
        else:
            body = {
                "recipient": {"id": self._required(reply.recipient_external_id, "recipient")},
                "messaging_type": "RESPONSE",
                "message": {"text": reply.text},
            }
            last = reply.last_customer_message_at
            if reply.human_agent and last is not None and now - last > STANDARD_WINDOW:
                body["messaging_type"] = "MESSAGE_TAG"
                body["tag"] = "HUMAN_AGENT"
        response = self._call("POST", self._messages_url(), json_body=body, timeout=timeout)
        payload = _json_object(response)
        return SendResult(
            external_id=str(payload.get("message_id") or ""), status_code=response.status_code
        )

    def _public_reply(self, reply: OutboundReply, *, timeout: float) -> SendResult:
        raise ConnectorError(self._unsupported(ReplyMode.PUBLIC_REPLY), permanent=True)

    def _messages_url(self) -> str:
        if not self.page_id:
            raise ConnectorError(
                "the channel has no page_id: private replies and direct messages go through "
                "the Facebook Page",
                permanent=True,
            )
        return self.graph_url(self.page_id, "messages")

    def _required(self, value: str, what: str) -> str:
        if not value:
            raise ConnectorError(f"the reply names no {what} to answer", permanent=True)
        return value

    def _call(
        self,
        method: str,
        url: str,
        *,
        form: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        timeout: float,
    ) -> httpx.Response:
        """One Graph call. Returns the 2xx response; raises ConnectorError otherwise."""
        token = self._credential("page_access_token")
        secret = self._credential("app_secret")
        if not token or not secret:
            raise ConnectorError(
                "the channel has no page_access_token or app_secret — an admin must connect it",
                permanent=True,
            )
        headers = {"Authorization": f"Bearer {token}"}
        content: bytes | None = None
        if form is not None:
            content = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        query = {**(params or {}), "appsecret_proof": appsecret_proof(secret, token)}
        try:
            response = http.request(
                method, url, content=content, headers=headers, params=query, timeout=timeout
            )
        except httpx.TimeoutException as exc:
            raise ConnectorError(
                f"Meta did not answer within {timeout:g} s; the call may have gone through",
                permanent=False,
            ) from exc
        except httpx.HTTPError as exc:
            raise ConnectorError(
                f"could not reach Meta: {type(exc).__name__}", permanent=False
            ) from exc
        if not 200 <= response.status_code < 300:
            raise _error(response)
        self.last_usage_pressure = usage_pressure(response.headers)
        return response

    # --- moderation -------------------------------------------------------------------------

    def moderate(self, external_id: str, action: Action, *, timeout: float) -> None:
        """Hide, unhide or delete a comment. Raises ConnectorError."""
        if not self.hide_parameter or action not in (Action.HIDE, Action.UNHIDE, Action.DELETE):
            raise ConnectorError(f"{self.label} cannot {action} items", permanent=True)
        url = self.graph_url(self._required(external_id, "item"))
        if action is Action.DELETE:
            response = self._call("DELETE", url, timeout=timeout)
        else:
            value = "true" if action is Action.HIDE else "false"
            response = self._call("POST", url, form={self.hide_parameter: value}, timeout=timeout)
        if _json_object(response).get("success") is False:
            raise ConnectorError(
                f"Meta answered success=false to {action} {external_id}", permanent=True
            )


class FacebookConnector(MetaConnector):
    """Facebook Page comments and visitor posts (the ``feed`` part of Page deliveries)."""

    platform = "facebook"
    label = "Facebook"
    reply_modes = frozenset({ReplyMode.PUBLIC_REPLY, ReplyMode.PRIVATE_REPLY})
    hide_parameter = "is_hidden"

    @property
    def page_id(self) -> str:
        return self._credential("page_id") or self.account_id

    def parse(self, body: bytes, *, max_text_chars: int) -> list[InboundItem]:
        entries = payloads.load_entries(body, expected_object=payloads.PAGE_OBJECT)
        return payloads.feed_items(entries, page_id=self.page_id, max_text_chars=max_text_chars)

    def _unsupported(self, mode: ReplyMode) -> str:
        return (
            "Facebook comments are answered publicly or with one private reply; direct "
            "messages go through the Page's Messenger channel"
        )

    def _public_reply(self, reply: OutboundReply, *, timeout: float) -> SendResult:
        comment = self._required(reply.reply_to_external_id, "comment")
        response = self._call(
            "POST",
            self.graph_url(comment, "comments"),
            form={"message": reply.text},
            timeout=timeout,
        )
        return SendResult(
            external_id=str(_json_object(response).get("id") or ""),
            status_code=response.status_code,
        )

    def find_sent(self, reply: OutboundReply, *, timeout: float) -> SendResult | None:
        """The Page's reply with the same text among the comment's 25 newest replies, or None.

        Only public replies can be found: the Send API has no look-up by content, so after a
        timed-out private reply or message the outbox must decide without it.
        """
        if reply.effective_mode is not ReplyMode.PUBLIC_REPLY or not reply.reply_to_external_id:
            return None
        response = self._call(
            "GET",
            self.graph_url(reply.reply_to_external_id, "comments"),
            params={
                "fields": "id,message,from",
                "filter": "stream",
                "order": "reverse_chronological",
                "limit": "25",
            },
            timeout=timeout,
        )
        return _find_own(response, own=self.page_id, text_key="message", text=reply.text)


class InstagramConnector(MetaConnector):
    """Instagram comments, mentions and direct messages (``object: "instagram"`` deliveries)."""

    platform = "instagram"
    label = "Instagram"
    reply_modes = frozenset(ReplyMode)
    message_limit = INSTAGRAM_DM_LIMIT
    message_bytes = INSTAGRAM_DM_BYTES
    hide_parameter = "hide"

    @property
    def instagram_account_id(self) -> str:
        return self._credential("instagram_account_id") or self.account_id

    def parse(self, body: bytes, *, max_text_chars: int) -> list[InboundItem]:
        entries = payloads.load_entries(body, expected_object=payloads.INSTAGRAM_OBJECT)
        return payloads.instagram_items(
            entries, account_id=self.instagram_account_id, max_text_chars=max_text_chars
        )

    def _public_limit(self) -> int:
        return INSTAGRAM_COMMENT_LIMIT

    def complete(self, item: InboundItem, *, timeout: float) -> InboundItem:
        """Fetch what a mention delivery leaves out (Meta sends only ids): the mentioning
        comment, ``GET /{ig-user-id}?fields=mentioned_comment.comment_id(ID){…}``, or for a
        caption mention the media, ``fields=mentioned_media.media_id(ID){…}``. Items that need
        nothing are returned as they are. Raises ConnectorError."""
        if not item.extra.get("needs_fetch") or item.kind != "mention":
            return item
        comment_id = str(item.extra.get("comment_id") or "")
        media_id = str(item.extra.get("media_id") or "")
        if comment_id:
            field = f"mentioned_comment.comment_id({comment_id}){{id,text,timestamp,username}}"
        else:
            field = f"mentioned_media.media_id({media_id}){{id,caption,timestamp,username}}"
        response = self._call(
            "GET",
            self.graph_url(self.instagram_account_id),
            params={"fields": field},
            timeout=timeout,
        )
        document = response.json()
        found = document.get("mentioned_comment" if comment_id else "mentioned_media") or {}
        if not isinstance(found, Mapping):
            raise ConnectorError(
                "Instagram answered the mention look-up without it", permanent=True
            )
        username = str(found.get("username") or "")
        text = str(found.get("text") if comment_id else found.get("caption") or "")
        extra = {k: v for k, v in item.extra.items() if k != "needs_fetch"}
        return replace(
            item,
            # Instagram's look-up gives the username, not a user id: the username identifies
            # the person here (the ids of other Instagram users are not shown to the brand).
            author_id=item.author_id or f"username:{username}",
            author_handle=username,
            author_name=username,
            text=text,
            extra=extra,
        )

    def _public_reply(self, reply: OutboundReply, *, timeout: float) -> SendResult:
        comment = self._required(reply.reply_to_external_id, "comment")
        response = self._call(
            "POST",
            self.graph_url(comment, "replies"),
            form={"message": reply.text},
            timeout=timeout,
        )
        return SendResult(
            external_id=str(_json_object(response).get("id") or ""),
            status_code=response.status_code,
        )

    def find_sent(self, reply: OutboundReply, *, timeout: float) -> SendResult | None:
        """The account's reply with the same text among the comment's replies, or None.

        Only public replies can be found (see FacebookConnector.find_sent).
        """
        if reply.effective_mode is not ReplyMode.PUBLIC_REPLY or not reply.reply_to_external_id:
            return None
        response = self._call(
            "GET",
            self.graph_url(reply.reply_to_external_id, "replies"),
            params={"fields": "id,text,from"},
            timeout=timeout,
        )
        return _find_own(response, own=self.instagram_account_id, text_key="text", text=reply.text)


class MessengerConnector(MetaConnector):
    """Messenger conversations of a Page (the ``messaging`` part of Page deliveries)."""

    platform = "messenger"
    label = "Messenger"
    reply_modes = frozenset({ReplyMode.MESSAGE})

    @property
    def page_id(self) -> str:
        return self._credential("page_id") or self.account_id

    def parse(self, body: bytes, *, max_text_chars: int) -> list[InboundItem]:
        entries = payloads.load_entries(body, expected_object=payloads.PAGE_OBJECT)
        return payloads.messaging_items(
            entries, account_id=self.page_id, max_text_chars=max_text_chars
        )

    def _unsupported(self, mode: ReplyMode) -> str:
        return "Messenger conversations are private: answer with a message"


def _json_object(response: httpx.Response) -> Mapping[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _find_own(response: httpx.Response, *, own: str, text_key: str, text: str) -> SendResult | None:
    data = _json_object(response).get("data")
    for comment in data if isinstance(data, list) else []:
        if not isinstance(comment, dict):
            continue
        author = comment.get("from")
        author_id = str(author.get("id", "")) if isinstance(author, dict) else ""
        body = comment.get(text_key)
        if author_id == own and isinstance(body, str) and body.strip() == text.strip():
            return SendResult(external_id=str(comment.get("id", "")), status_code=200)
    return None


def _error(response: httpx.Response) -> ConnectorError:
    """A ConnectorError for a failed Graph call: throttling and server trouble are temporary,
    everything Meta says is wrong with the request is permanent."""
    status = response.status_code
    error = _json_object(response).get("error")
    if not isinstance(error, dict):
        return ConnectorError(
            f"Meta answered HTTP {status} without an error object",
            permanent=status < 500 and status != 429,
            status_code=status,
            retry_after=DEFAULT_BACKOFF_SECONDS if status == 429 else None,
        )
    code = int(_number(error.get("code")))
    said = str(error.get("message") or "no message")[:300]
    trace = str(error.get("fbtrace_id") or "")
    detail = f"(code {code}{', trace ' + trace if trace else ''}): {said}"
    if code in THROTTLING_CODES:
        delay = _regain_seconds(response.headers) or DEFAULT_BACKOFF_SECONDS
        return ConnectorError(
            f"Meta rate limit reached {detail} — retrying in {delay:g} s",
            permanent=False,
            status_code=status,
            retry_after=delay,
        )
    if code == ALREADY_REPLIED:
        return ConnectorError(
            f"Meta refused: this comment already has a private reply {detail} — only one is "
            "allowed (if an earlier attempt timed out, it was probably delivered)",
            permanent=True,
            status_code=status,
        )
    if code == CANNOT_REPLY:
        return ConnectorError(
            f"Meta refused: this person cannot receive a reply to this activity {detail} — "
            "answer publicly instead",
            permanent=True,
            status_code=status,
        )
    if code == INVALID_TOKEN:
        return ConnectorError(
            f"Meta refused the Page access token {detail} — an admin must reconnect the channel",
            permanent=True,
            status_code=status,
        )
    temporary = code in TRANSIENT_CODES or error.get("is_transient") is True or status >= 500
    return ConnectorError(f"Meta error {detail}", permanent=not temporary, status_code=status)
