"""The X (Twitter) connector: Account Activity webhooks, mentions polling, filtered-stream
lines in; public replies, direct messages and hiding replies out. API v2 over plain httpx
through careline.lib.http. See docs/connectors/x.md for the admin's setup.

Credentials (the channel's encrypted ``credentials`` dict):

- ``consumer_secret`` — the app's API secret: answers the CRC and checks webhook signatures.
- ``user_id`` — the brand account's numeric id. It is also the channel's account id: when
  absent, the channel's ``external_id`` is used.
- ``bearer_token`` — app-only token for reads (mentions timeline, finding a sent reply) and the
  filtered-stream rules. Reads fall back to ``user_access_token`` when it is missing; stream rules
  need it.
- ``user_access_token`` — OAuth 2.0 user-context token (scopes in the docs) for writes: replies,
  direct messages, hiding replies. These tokens expire after about 2 hours; whoever stores the
  credentials must refresh it (``offline.access`` refresh token). A 401 says so.
- ``api_base`` (optional) — default ``https://api.x.com/2``; every URL is built from it, so tests
  and the demo's fake platform can point the connector elsewhere.
- ``keywords`` (optional) — list of filtered-stream rule values for keyword listening, kept in
  sync by ``sync_stream_rules``.

Reply modes: PUBLIC_REPLY posts a reply to the tweet; MESSAGE sends a direct message. X has no
"private reply to a comment": PRIVATE_REPLY is sent as a direct message to the comment's author
(``recipient_external_id``); it only arrives if that person accepts DMs from the brand.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from careline.connectors.base import (
    Action,
    Connector,
    ConnectorError,
    Handshake,
    InboundItem,
    OutboundReply,
    PayloadError,
    PollResult,
    ReplyMode,
    RuleViolation,
    SendResult,
)
from careline.connectors.x import payloads, rules
from careline.lib import http
from careline.lib.streaming import stream_lines

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.x.com/2"
SIGNATURE_HEADER = "x-twitter-webhooks-signature"
SIGNATURE_PREFIX = "sha256="
JSON = "application/json"
# Polled items and stream lines have no caller-given limit; the same default as the setting
# CARELINE_MAX_TEXT_CHARS (connectors do not read Django settings).
DEFAULT_MAX_TEXT_CHARS = 20_000

# Mentions timeline (section 2.1/2.2 of platforms.md); note_tweet gives long posts' full text.
STREAM_IDLE_TIMEOUT = 90.0  # X promises a keep-alive every ~20 s
TWEET_FIELDS = (
    "author_id,created_at,conversation_id,in_reply_to_user_id,referenced_tweets,entities,lang,"
    "note_tweet"
)
EXPANSIONS = "author_id,referenced_tweets.id"
USER_FIELDS = "username,name,public_metrics"
MENTIONS_PAGE_SIZE = 100
# A poll walks at most this many pages; a longer backlog is finished by the next polls.
MAX_PAGES_PER_POLL = 10
# The first poll of a channel takes one page of recent mentions and starts from there, rather
# than importing up to 800 old mentions as new cases.
FIRST_POLL_PAGES = 1

STREAM_RULE_TAG = "careline"
RATE_LIMIT_FALLBACK_SECONDS = 60.0
# Reset headers to honour, in the order X documents them (the 24-hour ones only on some routes).
_RATE_LIMIT_PREFIXES = ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour")
_FIND_SENT_LOOKBACK = 10
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def sign(secret: str, message: bytes) -> str:
    """``sha256=`` + base64 HMAC-SHA256 — the form of both the CRC answer and the webhook
    signature."""
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return SIGNATURE_PREFIX + base64.b64encode(digest).decode("ascii")


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), "")
    return value or ""


def _same_text(posted: str, ours: str) -> bool:
    """Does the text X shows for a post equal the text we sent? X escapes &<> and turns links
    into t.co links, so links are compared as placeholders."""

    def canonical(text: str) -> str:
        return " ".join(_URL.sub("<link>", payloads.unescape_tweet_text(text)).split())

    return canonical(posted) == canonical(ours)


def _problem(response: httpx.Response) -> str:
    """X's explanation of a failed call: problem details (title, detail) or legacy errors[]."""
    try:
        document = response.json()
    except ValueError:
        return response.text[:200].strip()
    if not isinstance(document, Mapping):
        return response.text[:200].strip()
    title = str(document.get("title") or "").strip()
    detail = str(document.get("detail") or "").strip()
    parts = [title] if title else []
    if detail and detail != title:
        parts.append(detail)
    if not parts:
        for error in document.get("errors") or []:
            if isinstance(error, Mapping):
                text = str(error.get("message") or error.get("detail") or "").strip()
                if text:
                    parts.append(text)
    return ": ".join(parts) or response.text[:200].strip()


def retry_after_seconds(headers: Mapping[str, str], *, now: float) -> float:
    """Seconds to wait after a 429: until the exhausted window resets, plus 1 s.

    Takes the latest reset among windows reported as exhausted (remaining 0); otherwise
    ``x-rate-limit-reset``; otherwise 60 s.
    """
    resets: list[float] = []
    fallback: float | None = None
    for prefix in _RATE_LIMIT_PREFIXES:
        try:
            reset = float(_header(headers, f"{prefix}-reset"))
        except ValueError:
            continue
        if _header(headers, f"{prefix}-remaining").strip() == "0":
            resets.append(reset)
        elif prefix == "x-rate-limit":
            fallback = reset
    reset_at = max(resets) if resets else fallback
    if reset_at is None:
        return RATE_LIMIT_FALLBACK_SECONDS
    return max(1.0, reset_at - now + 1.0)


def _error(response: httpx.Response, what: str) -> ConnectorError:
    code = response.status_code
    problem = _problem(response)
    if code == 429:
        wait = retry_after_seconds(response.headers, now=time.time())
        return ConnectorError(
            f"X rate limit reached while {what}; retrying in {wait:.0f} s",
            permanent=False,
            status_code=code,
            retry_after=wait,
        )
    if code >= 500 or code == 408:
        return ConnectorError(
            f"X failed while {what} (HTTP {code}): {problem}", permanent=False, status_code=code
        )
    hint = ""
    if code == 401:
        hint = " — the access token has expired or was revoked; reconnect the X account"
    return ConnectorError(
        f"X refused {what} (HTTP {code}): {problem}{hint}", permanent=True, status_code=code
    )


class XConnector(Connector):
    platform = "x"

    # --- configuration ---------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return str(self.credentials.get("api_base") or DEFAULT_API_BASE).rstrip("/")

    @property
    def user_id(self) -> str:
        return str(self.credentials.get("user_id") or self.account_id or "")

    def _token(self, *, write: bool = False, app_only: bool = False) -> str:
        if write:
            key, token = "user_access_token", self.credentials.get("user_access_token")
        else:
            key, token = "bearer_token", self.credentials.get("bearer_token")
            if not token and not app_only:
                token = self.credentials.get("user_access_token")
        if not token:
            raise ConnectorError(f"this X channel has no {key} in its credentials", permanent=True)
        return str(token)

    def _brand(self) -> str:
        if not self.user_id:
            raise ConnectorError("this X channel has no user_id in its credentials", permanent=True)
        return quote(self.user_id, safe="")

    def _call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        timeout: float,
        write: bool = False,
        app_only: bool = False,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> tuple[int, Mapping[str, Any]]:
        """One API call. Returns (status, JSON object; {} when the body is not one).
        Raises ConnectorError: temporary for timeouts, network trouble, 5xx and 429.

        A write refused with 401 renews the OAuth 2.0 user token once (when the channel has a
        ``refresh_token`` and ``client_id``) and tries again."""
        try:
            return self._call_once(
                method,
                path,
                what=what,
                timeout=timeout,
                write=write,
                app_only=app_only,
                body=body,
                params=params,
            )
        except ConnectorError as exc:
            if not (write and exc.status_code == 401 and self._can_refresh()):
                raise
        self._refresh_user_token(timeout=timeout)
        return self._call_once(
            method,
            path,
            what=what,
            timeout=timeout,
            write=write,
            app_only=app_only,
            body=body,
            params=params,
        )

    def _can_refresh(self) -> bool:
        return bool(self.credentials.get("refresh_token") and self.credentials.get("client_id"))

    def _refresh_user_token(self, *, timeout: float) -> None:
        """``POST /oauth2/token`` with ``grant_type=refresh_token``. X rotates the refresh
        token too: both new tokens are kept (see ``session_tokens``) so the outbox stores them.
        Confidential clients authenticate with HTTP Basic (client id and secret)."""
        form = {
            "grant_type": "refresh_token",
            "refresh_token": str(self.credentials["refresh_token"]),
            "client_id": str(self.credentials["client_id"]),
        }
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        secret = str(self.credentials.get("client_secret") or "")
        if secret:
            pair = f"{self.credentials['client_id']}:{secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        try:
            response = http.request(
                "POST",
                self.api_base + "/oauth2/token",
                content=urlencode(form).encode(),
                headers=headers,
                timeout=timeout,
            )
        except httpx.HTTPError as exc:
            raise ConnectorError(f"could not renew the X token: {exc}", permanent=False) from exc
        if response.status_code != 200:
            raise ConnectorError(
                f"X refused to renew the access token (HTTP {response.status_code}): "
                f"{_problem(response)} — reconnect the X account",
                permanent=True,
                status_code=response.status_code,
            )
        answer = response.json()
        self.credentials["user_access_token"] = str(answer["access_token"])
        if answer.get("refresh_token"):
            self.credentials["refresh_token"] = str(answer["refresh_token"])
        self._renewed = True

    @property
    def session_changed(self) -> bool:
        """True after the user token was renewed: store ``session_tokens()`` back."""
        return getattr(self, "_renewed", False)

    def session_tokens(self) -> dict[str, str]:
        return {
            "user_access_token": str(self.credentials.get("user_access_token") or ""),
            "refresh_token": str(self.credentials.get("refresh_token") or ""),
        }

    def _call_once(
        self,
        method: str,
        path: str,
        *,
        what: str,
        timeout: float,
        write: bool = False,
        app_only: bool = False,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> tuple[int, Mapping[str, Any]]:
        headers = {"Authorization": "Bearer " + self._token(write=write, app_only=app_only)}
        content = None
        if body is not None:
            headers["Content-Type"] = JSON
            content = json.dumps(body, ensure_ascii=False).encode()
        try:
            response = http.request(
                method,
                self.api_base + path,
                content=content,
                headers=headers,
                params=params,
                timeout=timeout,
            )
        except httpx.TimeoutException as exc:
            raise ConnectorError(
                f"X did not answer within {timeout:g} s while {what}", permanent=False
            ) from exc
        except httpx.HTTPError as exc:
            raise ConnectorError(f"could not reach X while {what}: {exc}", permanent=False) from exc
        if not 200 <= response.status_code < 300:
            raise _error(response, what)
        try:
            document = response.json()
        except ValueError:
            document = {}
        return response.status_code, document if isinstance(document, Mapping) else {}

    # --- inbound ---------------------------------------------------------------------------

    def handshake(self, params: Mapping[str, str]) -> Handshake:
        """The CRC: ``GET ?crc_token=…`` → 200 ``{"response_token": "sha256=<base64 HMAC>"}``.
        400 without a token; 503 when the channel has no consumer_secret."""
        token = params.get("crc_token") or ""
        if not token:
            return Handshake(400, json.dumps({"error": "missing crc_token"}), JSON)
        secret = str(self.credentials.get("consumer_secret") or "")
        if not secret:
            return Handshake(503, json.dumps({"error": "channel has no consumer_secret"}), JSON)
        return Handshake(200, json.dumps({"response_token": sign(secret, token.encode())}), JSON)

    def verify(self, *, body: bytes, headers: Mapping[str, str]) -> bool:
        """``x-twitter-webhooks-signature`` must be the base64 HMAC of the raw body bytes."""
        secret = str(self.credentials.get("consumer_secret") or "")
        given = _header(headers, SIGNATURE_HEADER).strip()
        if not secret or not given.startswith(SIGNATURE_PREFIX):
            return False
        return hmac.compare_digest(sign(secret, body).encode(), given.encode())

    def parse(self, body: bytes, *, max_text_chars: int) -> list[InboundItem]:
        """Items of an Account Activity delivery; see payloads.items_from_activity.
        Raises PayloadError."""
        document = payloads.load_json_object(body, "body")
        return payloads.items_from_activity(
            document, brand_user_id=self.user_id, max_text_chars=max_text_chars
        )

    def parse_stream_line(
        self, line: bytes, *, max_text_chars: int = DEFAULT_MAX_TEXT_CHARS
    ) -> InboundItem | None:
        """One line of the filtered stream (``GET {api_base}/tweets/search/stream``): None for a
        keep-alive, a system message, a retweet or our own post. ``indirect`` unless the post
        mentions or answers the brand. Raises PayloadError for a line that is not JSON."""
        return payloads.item_from_stream_line(
            line, brand_user_id=self.user_id, max_text_chars=max_text_chars
        )

    def stream(self, timeout: float = STREAM_IDLE_TIMEOUT) -> Iterator[InboundItem]:
        """Posts matching the channel's filtered-stream rules, as X pushes them (keyword
        listening; see ``sync_stream_rules``). Runs until X closes the stream; raises
        ConnectorError when it breaks or stays silent for ``timeout`` seconds (X sends a
        keep-alive every ~20 s). A line that is not JSON is skipped, not fatal."""
        lines = stream_lines(
            self.api_base + "/tweets/search/stream",
            headers={"Authorization": "Bearer " + self._token(app_only=True)},
            params={
                "tweet.fields": TWEET_FIELDS,
                "expansions": EXPANSIONS,
                "user.fields": USER_FIELDS,
            },
            idle_timeout=timeout,
            on_error=lambda response: _error(response, "opening the filtered stream"),
        )
        for line in lines:
            try:
                item = self.parse_stream_line(line.encode())
            except PayloadError:
                log.warning("skipped a filtered-stream line that is not JSON")
                continue
            if item is not None:
                yield item

    def poll(self, cursor: Mapping[str, str] | None, *, timeout: float) -> PollResult:
        """New mentions of the brand since ``cursor``, oldest first.

        Cursor keys (strings): ``since_id`` — the newest mention already fetched;
        while a walk through a backlog is unfinished, also ``pagination_token`` (the next page)
        and ``walk_newest_id`` (the newest id seen in this walk, which becomes ``since_id`` when
        the walk reaches its end). A poll reads at most MAX_PAGES_PER_POLL pages; the first poll
        of a channel (no cursor) reads one page and starts from its newest mention.

        If a page fails after earlier pages of this poll succeeded, the items so far are
        returned with a cursor pointing at the failed page (the error will show on the next
        poll). Raises ConnectorError when nothing could be fetched.
        """
        state = dict(cursor or {})
        since_id = state.get("since_id", "")
        token = state.get("pagination_token", "")
        walk_newest = state.get("walk_newest_id", "")
        first_poll = not since_id and not token
        pages = FIRST_POLL_PAGES if first_poll else MAX_PAGES_PER_POLL
        items: list[InboundItem] = []
        path = f"/users/{self._brand()}/mentions"
        fetched = 0
        while fetched < pages:
            params = {
                "max_results": str(MENTIONS_PAGE_SIZE),
                "tweet.fields": TWEET_FIELDS,
                "expansions": EXPANSIONS,
                "user.fields": USER_FIELDS,
            }
            if since_id:
                params["since_id"] = since_id
            if token:
                params["pagination_token"] = token
            try:
                _, page = self._call(
                    "GET", path, params=params, timeout=timeout, what="reading mentions"
                )
            except ConnectorError as exc:
                if fetched == 0 and token and exc.status_code == 400:
                    # A stored page token X no longer accepts: walk again from the top; items
                    # seen twice are de-duplicated by ingestion.
                    log.warning("X refused a stored pagination token, restarting: %s", exc)
                    token = ""
                    continue
                if fetched == 0:
                    raise
                log.warning("X mentions poll stopped after %s pages: %s", fetched, exc)
                break
            fetched += 1
            try:
                items.extend(
                    payloads.items_from_v2_page(
                        page, brand_user_id=self.user_id, max_text_chars=DEFAULT_MAX_TEXT_CHARS
                    )
                )
            except PayloadError as exc:
                raise ConnectorError(
                    f"X answered with a mentions page careline cannot read: {exc}",
                    permanent=True,
                ) from exc
            meta = payloads.as_object(page.get("meta"))
            walk_newest = payloads.newer_id(walk_newest, str(meta.get("newest_id") or ""))
            token = str(meta.get("next_token") or "")
            if not token or first_poll:
                since_id = payloads.newer_id(since_id, walk_newest)
                token = walk_newest = ""
                break
        new_cursor = {"since_id": since_id} if since_id else {}
        if token:
            new_cursor.update(pagination_token=token, walk_newest_id=walk_newest)
        items.sort(key=lambda item: (len(item.external_id), item.external_id))
        return PollResult(items=items, cursor=new_cursor)

    def sync_stream_rules(
        self, keywords: Iterable[str] | None = None, *, timeout: float = 10.0
    ) -> dict[str, list[Any]]:
        """Make the filtered-stream rules tagged "careline" equal ``keywords`` (default: the
        ``keywords`` credential). Adds missing values, deletes careline-tagged rules no longer
        wanted, leaves rules with other tags alone (a wanted value already present under another
        tag is kept, not duplicated).

        Returns ``{"added": [values X created], "deleted": [values], "kept": [values],
        "errors": [X's problem objects, e.g. an invalid rule]}``. Raises ConnectorError.
        """
        if keywords is None:
            configured = self.credentials.get("keywords") or []
            keywords = [configured] if isinstance(configured, str) else configured
        wanted: list[str] = []
        for value in keywords:
            value = str(value).strip()
            if value and value not in wanted:
                wanted.append(value)
        path = "/tweets/search/stream/rules"
        _, listed = self._call(
            "GET", path, app_only=True, timeout=timeout, what="listing stream rules"
        )
        existing = [rule for rule in listed.get("data") or [] if isinstance(rule, Mapping)]
        present = {str(rule.get("value")) for rule in existing}
        stale = [
            rule
            for rule in existing
            if rule.get("tag") == STREAM_RULE_TAG and str(rule.get("value")) not in wanted
        ]
        missing = [value for value in wanted if value not in present]
        result: dict[str, list[Any]] = {
            "added": [],
            "deleted": [],
            "kept": [value for value in wanted if value in present],
            "errors": [],
        }
        if stale:
            _, answer = self._call(
                "POST",
                path,
                app_only=True,
                timeout=timeout,
                what="deleting stream rules",
                body={"delete": {"ids": [str(rule.get("id")) for rule in stale]}},
            )
            result["deleted"] = [str(rule.get("value")) for rule in stale]
            result["errors"].extend(answer.get("errors") or [])
        if missing:
            _, answer = self._call(
                "POST",
                path,
                app_only=True,
                timeout=timeout,
                what="adding stream rules",
                body={"add": [{"value": value, "tag": STREAM_RULE_TAG} for value in missing]},
            )
            result["added"] = [
                str(rule.get("value"))
                for rule in answer.get("data") or []
                if isinstance(rule, Mapping) and rule.get("value") in missing
            ]
            result["errors"].extend(answer.get("errors") or [])
        return result

    # --- outbound --------------------------------------------------------------------------

    def check(self, reply: OutboundReply, *, now: datetime) -> None:
        """Refuses empty text, a public reply over 280 weighted characters or without the post
        it answers, a direct message over 10,000 characters or without a recipient."""
        if reply.effective_mode is ReplyMode.PUBLIC_REPLY:
            problem = rules.public_reply_problem(reply.text)
            if not problem and not reply.reply_to_external_id:
                problem = (
                    "A public reply on X needs the post it answers, and this one has none — "
                    "answer by direct message instead"
                )
        else:
            problem = rules.direct_message_problem(reply.text)
            if not problem and not reply.recipient_external_id:
                problem = "This direct message has no recipient on X — answer publicly instead"
        if problem:
            raise RuleViolation(problem)

    def send(self, reply: OutboundReply, *, timeout: float) -> SendResult:
        """PUBLIC_REPLY → ``POST /tweets`` (returns the new post id); MESSAGE and
        PRIVATE_REPLY → ``POST /dm_conversations/with/{recipient}/messages`` (returns the
        ``dm_event_id``). Raises ConnectorError (permanent for a reply ``check`` refuses)."""
        try:
            self.check(reply, now=datetime.now(UTC))
        except RuleViolation as exc:
            raise ConnectorError(str(exc), permanent=True) from exc
        if reply.effective_mode is ReplyMode.PUBLIC_REPLY:
            return self._post_reply(reply, timeout=timeout)
        recipient = quote(reply.recipient_external_id, safe="")
        status, answer = self._call(
            "POST",
            f"/dm_conversations/with/{recipient}/messages",
            write=True,
            timeout=timeout,
            what="sending a direct message",
            body={"text": reply.text},
        )
        return self._result(status, answer, "dm_event_id")

    def _post_reply(self, reply: OutboundReply, *, timeout: float) -> SendResult:
        try:
            status, answer = self._call(
                "POST",
                "/tweets",
                write=True,
                timeout=timeout,
                what="posting a reply",
                body={
                    "text": reply.text,
                    "reply": {"in_reply_to_tweet_id": reply.reply_to_external_id},
                },
            )
        except ConnectorError as exc:
            # X refuses an identical post as "duplicate content": after a lost answer, our
            # first attempt is the likely duplicate. Report that post instead of failing.
            if exc.status_code == 403 and "duplicate" in str(exc).lower():
                found = self.find_sent(reply, timeout=timeout)
                if found is not None:
                    return found
            raise
        return self._result(status, answer, "id")

    @staticmethod
    def _result(status: int, answer: Mapping[str, Any], key: str) -> SendResult:
        data = payloads.as_object(answer.get("data"))
        external_id = str(data.get(key) or "")
        if not external_id:
            # Sent, but we cannot tell which post it is; retrying would post it twice.
            raise ConnectorError(
                f"X accepted the reply (HTTP {status}) but did not return its {key}",
                permanent=True,
                status_code=status,
            )
        return SendResult(external_id=external_id, status_code=status)

    def find_sent(self, reply: OutboundReply, *, timeout: float) -> SendResult | None:
        """Look among the brand's 10 latest posts for a reply to the same post with the same
        text (links compared as links: X shortens them). None when not found, and always None
        for direct messages (the DM list is not searched). Raises ConnectorError."""
        if reply.effective_mode is not ReplyMode.PUBLIC_REPLY or not reply.reply_to_external_id:
            return None
        status, answer = self._call(
            "GET",
            f"/users/{self._brand()}/tweets",
            timeout=timeout,
            what="looking for a sent reply",
            params={"max_results": str(_FIND_SENT_LOOKBACK), "tweet.fields": "referenced_tweets"},
        )
        for tweet in answer.get("data") or []:
            if not isinstance(tweet, Mapping):
                continue
            replied_to = [
                str(ref.get("id"))
                for ref in tweet.get("referenced_tweets") or []
                if isinstance(ref, Mapping) and ref.get("type") == "replied_to"
            ]
            if reply.reply_to_external_id in replied_to and _same_text(
                str(tweet.get("text") or ""), reply.text
            ):
                return SendResult(external_id=str(tweet.get("id")), status_code=status)
        return None

    def moderate(self, external_id: str, action: Action, *, timeout: float) -> None:
        """HIDE/UNHIDE → ``PUT /tweets/{id}/hidden``; X allows it only for replies in
        conversations the brand started. DELETE is impossible for other people's posts.
        Raises ConnectorError."""
        if action is Action.DELETE:
            raise ConnectorError(
                "X does not let an account delete other people's posts — hide the reply "
                "instead (possible for replies to the brand's own posts)",
                permanent=True,
            )
        if action not in (Action.HIDE, Action.UNHIDE):
            raise ConnectorError(f"X cannot {action} a post", permanent=True)
        hidden = action is Action.HIDE
        self._call(
            "PUT",
            f"/tweets/{quote(external_id, safe='')}/hidden",
            write=True,
            timeout=timeout,
            what=f"{'hiding' if hidden else 'unhiding'} post {external_id}",
            body={"hidden": hidden},
        )
