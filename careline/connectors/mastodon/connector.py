"""Mastodon: polls the brand account's mentions (public ones and direct messages) and replies.

Credentials: ``instance_url`` (e.g. https://mastodon.social; every URL derives from it),
``access_token`` (scopes read:notifications, read:statuses, read:accounts, write:statuses),
``account_id`` (the brand account's id; the channel's account id is used when missing),
optionally ``max_characters`` (the instance's status limit, default 500) and
``streaming_url`` (when the instance serves its streaming API from another host).

Mastodon has no webhooks for ordinary accounts: ``verify`` always refuses and items come from
``poll`` or, optionally, from ``stream``. See docs/connectors/mastodon.md.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from careline.connectors.base import (
    Action,
    Connector,
    ConnectorError,
    InboundItem,
    OutboundReply,
    PayloadError,
    PollResult,
    RuleViolation,
    SendResult,
)
from careline.connectors.mastodon.payloads import (
    DEFAULT_MAX_CHARACTERS,
    DEFAULT_MAX_TEXT_CHARS,
    ensure_mention,
    error_for_response,
    id_order,
    item_from_notification,
    items_from_notifications,
    iter_notification_payloads,
    iter_stream_events,
    link_param,
    load_notifications,
    reply_visibility,
    status_length,
    strip_leading_mentions,
)
from careline.lib import http
from careline.lib.streaming import stream_lines

log = logging.getLogger(__name__)

PAGE_SIZE = 40
# Pages read per poll. Reading goes forward from the cursor, so a flood larger than this is
# simply continued by the next poll, with no gap.
MAX_PAGES = 10
# The brand's own statuses that find_sent looks through.
FIND_SENT_WINDOW = 40
STREAM_IDLE_TIMEOUT = 60.0


class MastodonConnector(Connector):
    platform = "mastodon"

    # --- configuration --------------------------------------------------------------------

    def _base_url(self) -> str:
        url = str(self.credentials.get("instance_url") or "").rstrip("/")
        if not url.startswith(("https://", "http://")):
            raise ConnectorError(
                "this Mastodon channel has no instance_url (e.g. https://mastodon.social)",
                permanent=True,
            )
        return url

    def _token(self) -> str:
        token = str(self.credentials.get("access_token") or "")
        if not token:
            raise ConnectorError("this Mastodon channel has no access_token", permanent=True)
        return token

    def _configured_account_id(self) -> str:
        return str(self.credentials.get("account_id") or self.account_id or "")

    def _max_characters(self) -> int:
        try:
            value = int(self.credentials.get("max_characters") or DEFAULT_MAX_CHARACTERS)
        except (TypeError, ValueError):
            return DEFAULT_MAX_CHARACTERS
        return value if value > 0 else DEFAULT_MAX_CHARACTERS

    def _brand_account_id(self, *, timeout: float) -> str:
        configured = self._configured_account_id()
        if configured:
            return configured
        account = self._get_json(
            "/api/v1/accounts/verify_credentials",
            timeout=timeout,
            what="reading the brand account",
        )
        return str(_mapping(account).get("id") or "")

    # --- HTTP -----------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        timeout: float,
        what: str,
        params: Mapping[str, Any] | None = None,
        payload: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        merged = {
            "Authorization": f"Bearer {self._token()}",
            "Accept": "application/json",
            **(headers or {}),
        }
        content = None
        if payload is not None:
            content = json.dumps(payload, ensure_ascii=False).encode()
            merged["Content-Type"] = "application/json"
        base = self._base_url()
        try:
            response = http.request(
                method, base + path, content=content, headers=merged, params=params, timeout=timeout
            )
        except httpx.TimeoutException as exc:
            raise ConnectorError(
                f"Mastodon {what} timed out after {timeout:g} s", permanent=False
            ) from exc
        except httpx.HTTPError as exc:
            raise ConnectorError(
                f"could not reach {base} for {what}: {exc}", permanent=False
            ) from exc
        if not 200 <= response.status_code < 300:
            raise error_for_response(response, what=what, now=datetime.now(UTC))
        return response

    def _get_json(
        self, path: str, *, timeout: float, what: str, params: Mapping[str, Any] | None = None
    ) -> Any:
        return _decode(self._call("GET", path, timeout=timeout, what=what, params=params), what)

    # --- inbound --------------------------------------------------------------------------

    def verify(self, *, body: bytes, headers: Mapping[str, str]) -> bool:
        """Mastodon sends no webhooks to ordinary accounts, so no request can be from it:
        always False."""
        return False

    def parse(self, body: bytes, *, max_text_chars: int) -> list[InboundItem]:
        """Items in one notification (e.g. a stored stream event) or a list of them (an API
        page, fixtures). Raises PayloadError."""
        return items_from_notifications(
            load_notifications(body),
            account_id=self._configured_account_id(),
            max_text_chars=max_text_chars,
        )

    def poll(self, cursor: Mapping[str, str] | None, *, timeout: float) -> PollResult:
        """Mentions since the last poll, oldest first. Raises ConnectorError.

        The first poll reads the newest page only (a new channel starts with the latest
        mentions, not the account's history). Later polls read forward from the stored
        ``newest_id`` with ``min_id`` — each page is the next PAGE_SIZE notifications just
        above it — and follow the ``rel="prev"`` link (newer) until a page comes back empty.
        With ``since_id`` instead, Mastodon would return the newest page and an interrupted
        catch-up would leave a gap below it. Link URLs are read for their ``min_id`` only:
        requests always go to the configured instance, so the token never follows a link
        elsewhere.
        """
        newest = (cursor or {}).get("newest_id", "")
        params: dict[str, Any] = {"types[]": ["mention"], "limit": PAGE_SIZE}
        notifications: dict[str, Mapping[str, Any]] = {}
        if not newest:
            response = self._call(
                "GET",
                "/api/v1/notifications",
                timeout=timeout,
                what="listing notifications",
                params=params,
            )
            _collect(notifications, _decode_list(response))
        else:
            min_id = newest
            for _ in range(MAX_PAGES):
                response = self._call(
                    "GET",
                    "/api/v1/notifications",
                    timeout=timeout,
                    what="listing notifications",
                    params={**params, "min_id": min_id},
                )
                page = _decode_list(response)
                if not page:
                    break
                _collect(notifications, page)
                following = link_param(response, "prev", "min_id") or max(
                    (str(n.get("id")) for n in page if n.get("id")), key=id_order, default=""
                )
                if not following or id_order(following) <= id_order(min_id):
                    break
                min_id = following
        account_id = self._brand_account_id(timeout=timeout) if notifications else ""
        items = []
        for key in sorted(notifications, key=id_order):
            try:
                item = item_from_notification(
                    notifications[key], account_id=account_id, max_text_chars=DEFAULT_MAX_TEXT_CHARS
                )
            except PayloadError as exc:
                # One unreadable notification must not stop the others.
                log.warning("skipping Mastodon notification %s: %s", key, exc)
                continue
            if item is not None:
                items.append(item)
        latest = max([newest, *notifications], key=id_order)
        return PollResult(items=items, cursor={"newest_id": latest} if latest else {})

    def _stream_lines(self, timeout: float) -> Iterator[str]:
        base = str(self.credentials.get("streaming_url") or "").rstrip("/") or self._base_url()
        return stream_lines(
            base + "/api/v1/streaming/user/notification",
            headers={"Authorization": f"Bearer {self._token()}", "Accept": "text/event-stream"},
            idle_timeout=timeout,
            on_error=lambda response: error_for_response(
                response, what="opening the stream", now=datetime.now(UTC)
            ),
        )

    def stream_notifications(self, timeout: float = STREAM_IDLE_TIMEOUT) -> Iterator[str]:
        """The raw JSON of each notification pushed on ``/api/v1/streaming/user/notification``.

        For a worker that stores raw payloads first and hands them to ``parse`` later. Runs
        until the server closes the stream; raises ConnectorError when it breaks or stays
        silent for ``timeout`` seconds. After a reconnect, ``poll`` fills the gap.
        """
        yield from iter_notification_payloads(self._stream_lines(timeout))

    def stream(self, timeout: float = STREAM_IDLE_TIMEOUT) -> Iterator[InboundItem]:
        """Items for mentions as Mastodon pushes them (see ``stream_notifications``)."""
        yield from iter_stream_events(
            self._stream_lines(timeout), account_id=self._configured_account_id()
        )

    # --- outbound -------------------------------------------------------------------------

    def check(self, reply: OutboundReply, *, now: datetime) -> None:
        if not reply.text.strip():
            raise RuleViolation("The reply is empty.")
        limit = self._max_characters()
        length = status_length(reply.text)
        if length > limit:
            raise RuleViolation(
                f"Too long for Mastodon: {length} characters, the limit is {limit} "
                f"(a link counts as 23)."
            )

    def send(self, reply: OutboundReply, *, timeout: float) -> SendResult:
        """Post the reply as a status. The ``Idempotency-Key`` header makes Mastodon return the
        first status again for a retry within an hour instead of posting twice. Raises
        ConnectorError (permanent for a reply ``check`` refuses)."""
        try:
            self.check(reply, now=datetime.now(UTC))
        except RuleViolation as exc:
            raise ConnectorError(str(exc), permanent=True) from exc
        mode = reply.effective_mode
        original: Mapping[str, Any] | None = None
        if reply.reply_to_external_id:
            original = _mapping(
                self._get_json(
                    f"/api/v1/statuses/{quote(reply.reply_to_external_id, safe='')}",
                    timeout=timeout,
                    what="looking up the post being answered",
                )
            )
            person = _mapping(original.get("account"))
        elif reply.recipient_external_id:
            person = _mapping(
                self._get_json(
                    f"/api/v1/accounts/{quote(reply.recipient_external_id, safe='')}",
                    timeout=timeout,
                    what="looking up the person to write to",
                )
            )
        else:
            raise ConnectorError(
                "a Mastodon reply needs the post or the person it answers", permanent=True
            )
        text = reply.text
        acct = str(person.get("acct") or "")
        if acct and str(person.get("id") or "") != self._configured_account_id():
            text = ensure_mention(text, acct)
        limit = self._max_characters()
        length = status_length(text)
        if length > limit:
            raise ConnectorError(
                f"the reply is {length} characters once it starts with @{acct}; Mastodon allows "
                f"{limit}",
                permanent=True,
            )
        visibility = reply_visibility(
            mode, str(original.get("visibility") or "public") if original is not None else None
        )
        payload: dict[str, Any] = {"status": text, "visibility": visibility}
        if reply.reply_to_external_id:
            payload["in_reply_to_id"] = reply.reply_to_external_id
        response = self._call(
            "POST",
            "/api/v1/statuses",
            timeout=timeout,
            what="posting the reply",
            payload=payload,
            headers={"Idempotency-Key": reply.idempotency_key},
        )
        status = _mapping(_decode(response, "posting the reply"))
        if not status.get("id"):
            raise ConnectorError(
                "Mastodon accepted the reply but returned no status id", permanent=True
            )
        return SendResult(external_id=str(status["id"]), status_code=response.status_code)

    def find_sent(self, reply: OutboundReply, *, timeout: float) -> SendResult | None:
        """The brand's status answering the same post with the same text, if it went out.

        The idempotency key already covers retries within an hour; the outbox backs off
        longer than that between its last attempts. Compares the status's source text (what
        careline sent), ignoring the leading @mentions.
        """
        if not reply.reply_to_external_id:
            return None
        account_id = self._brand_account_id(timeout=timeout)
        statuses = self._get_json(
            f"/api/v1/accounts/{quote(account_id, safe='')}/statuses",
            timeout=timeout,
            what="reading the brand's posts",
            params={"limit": FIND_SENT_WINDOW, "exclude_reblogs": "true"},
        )
        wanted = strip_leading_mentions(reply.text)
        for status in statuses if isinstance(statuses, list) else []:
            status = _mapping(status)
            if str(status.get("in_reply_to_id") or "") != reply.reply_to_external_id:
                continue
            status_id = str(status.get("id") or "")
            source = _mapping(
                self._get_json(
                    f"/api/v1/statuses/{quote(status_id, safe='')}/source",
                    timeout=timeout,
                    what="reading a sent post",
                )
            )
            if status_id and strip_leading_mentions(str(source.get("text") or "")) == wanted:
                return SendResult(external_id=status_id, status_code=200)
        return None

    def moderate(self, external_id: str, action: Action, *, timeout: float) -> None:
        """Delete one of the brand's own statuses. Anything else is refused (permanent):
        Mastodon gives an account no way to hide or delete other people's posts."""
        if action is not Action.DELETE:
            raise ConnectorError(
                f"Mastodon cannot {action} posts: an account can delete only its own. Mute, "
                "block or report the author on Mastodon instead",
                permanent=True,
            )
        path = f"/api/v1/statuses/{quote(external_id, safe='')}"
        status = _mapping(self._get_json(path, timeout=timeout, what="looking up the post"))
        owner = _mapping(status.get("account"))
        if str(owner.get("id") or "") != self._brand_account_id(timeout=timeout):
            raise ConnectorError(
                f"Mastodon lets an account delete only its own posts; this one is by "
                f"@{owner.get('acct') or owner.get('id')}. Mute, block or report it on Mastodon "
                "instead",
                permanent=True,
            )
        self._call("DELETE", path, timeout=timeout, what="deleting the post")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _decode(response: httpx.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ConnectorError(
            f"Mastodon {what} answered HTTP {response.status_code} with a body that is not JSON",
            permanent=False,
            status_code=response.status_code,
        ) from exc


def _decode_list(response: httpx.Response) -> list[Mapping[str, Any]]:
    page = _decode(response, "listing notifications")
    if not isinstance(page, list):
        raise ConnectorError(
            "Mastodon answered the notification list with something else than a list",
            permanent=False,
        )
    return [entry for entry in page if isinstance(entry, Mapping)]


def _collect(into: dict[str, Mapping[str, Any]], page: list[Mapping[str, Any]]) -> None:
    for notification in page:
        if notification.get("id"):
            into[str(notification["id"])] = notification
