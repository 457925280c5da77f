"""Bluesky: polls the brand account's mention and reply notifications and answers in thread.

Credentials: ``service`` (the PDS, default https://bsky.social; every URL derives from it),
``handle`` or ``identifier``, ``app_password``, ``did`` (the brand's DID, also the channel's
account id) and optionally ``langs`` (e.g. "en" or ["en", "de"]) for outgoing posts, and
``access_jwt``/``refresh_jwt`` saved from an earlier session (see client.py).

Bluesky has no webhooks: ``verify`` always refuses and items come from ``poll``. Direct messages
(chat.bsky) are not supported: a reply in MESSAGE or PRIVATE_REPLY mode is refused.
See docs/connectors/bluesky.md.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from careline.connectors.base import (
    Action,
    Connector,
    ConnectorError,
    InboundItem,
    OutboundReply,
    PayloadError,
    PollResult,
    ReplyMode,
    RuleViolation,
    SendResult,
)
from careline.connectors.bluesky.client import XrpcClient
from careline.connectors.bluesky.payloads import (
    DEFAULT_MAX_TEXT_CHARS,
    INBOUND_REASONS,
    POST_COLLECTION,
    item_from_notification,
    items_from_notifications,
    load_notifications,
    parse_datetime,
    post_record,
    reply_refs,
    split_at_uri,
)
from careline.connectors.bluesky.richtext import (
    MAX_BYTES,
    MAX_GRAPHEMES,
    mentioned_handles,
    text_facets,
    utf8_len,
)
from careline.lib.text import grapheme_count

log = logging.getLogger(__name__)

DEFAULT_SERVICE = "https://bsky.social"
PAGE_SIZE = 50
# Pages read per poll. A flood larger than this is caught up over the next polls.
MAX_PAGES = 10
# Paging stops this far before the newest time already seen: an item indexed a little out of
# order is still read. Items seen twice are dropped by ingestion (unique external id).
OVERLAP = timedelta(minutes=2)
# Replies the brand posted that find_sent looks through.
FIND_SENT_WINDOW = 20
MAX_HANDLE_LOOKUPS = 5

NO_DIRECT_MESSAGES = (
    "Bluesky direct messages (chat) are not supported by careline: reply publicly under the "
    "post, or ask the person to write to a channel careline can answer privately"
)


class BlueskyConnector(Connector):
    platform = "bluesky"

    def __init__(self, *, credentials: Mapping[str, Any], account_id: str = "") -> None:
        super().__init__(credentials=credentials, account_id=account_id)
        self._xrpc: XrpcClient | None = None

    # --- configuration --------------------------------------------------------------------

    @property
    def client(self) -> XrpcClient:
        if self._xrpc is None:
            creds = self.credentials
            self._xrpc = XrpcClient(
                service=str(creds.get("service") or DEFAULT_SERVICE),
                identifier=str(creds.get("identifier") or creds.get("handle") or "").lstrip("@"),
                password=str(creds.get("app_password") or ""),
                access_jwt=str(creds.get("access_jwt") or ""),
                refresh_jwt=str(creds.get("refresh_jwt") or ""),
            )
        return self._xrpc

    @property
    def session_changed(self) -> bool:
        """True when this instance signed in or refreshed: store ``session_tokens()`` back."""
        return self._xrpc is not None and self._xrpc.session_changed

    def session_tokens(self) -> dict[str, str]:
        return self._xrpc.session_tokens() if self._xrpc is not None else {}

    def _configured_did(self) -> str:
        return str(self.credentials.get("did") or self.account_id or "")

    def _brand_did(self, *, timeout: float) -> str:
        """The brand's DID; refuses a session that belongs to another account."""
        session = self.client.ensure_session(timeout=timeout)
        configured = self._configured_did()
        if configured and session.did and session.did != configured:
            raise ConnectorError(
                f"the app password signs in as {session.did}, but this channel is "
                f"{configured}: fix the channel's handle or DID",
                permanent=True,
            )
        did = configured or session.did
        if not did:
            raise ConnectorError("this Bluesky channel has no DID", permanent=True)
        return did

    def _langs(self) -> list[str]:
        value = self.credentials.get("langs")
        if isinstance(value, str):
            return [lang.strip() for lang in value.split(",") if lang.strip()]
        if isinstance(value, list):
            return [str(lang) for lang in value if str(lang).strip()]
        return []

    # --- inbound --------------------------------------------------------------------------

    def verify(self, *, body: bytes, headers: Mapping[str, str]) -> bool:
        """Bluesky sends no webhooks, so no request can be from it: always False."""
        return False

    def parse(self, body: bytes, *, max_text_chars: int) -> list[InboundItem]:
        """Items in one notification, a list of them, or a listNotifications page (fixtures,
        stored poll pages). Raises PayloadError."""
        return items_from_notifications(
            load_notifications(body),
            brand_did=self._configured_did(),
            max_text_chars=max_text_chars,
        )

    def poll(self, cursor: Mapping[str, str] | None, *, timeout: float) -> PollResult:
        """Mentions and replies since the last poll, oldest first. Raises ConnectorError.

        listNotifications returns the newest first and its ``cursor`` leads back in time, so a
        poll reads from the top down to the newest ``indexedAt`` it stored last time (less
        OVERLAP). If MAX_PAGES are not enough, the stored cursor keeps where the reading
        stopped and the next polls finish that catch-up before reading the top again, so no
        notification is skipped and gaps never nest. The first poll reads one page only: a
        new channel starts with the latest notifications, not the account's history.
        """
        state = cursor or {}
        newest = state.get("newest_indexed_at", "")
        backfill = state.get("backfill_cursor", "")
        next_state: dict[str, str]
        if backfill:
            until = state.get("backfill_until", "")
            notes, resume = self._read_back(start=backfill, until=until, timeout=timeout)
            next_state = {"newest_indexed_at": newest} if newest else {}
            if resume:
                next_state.update(backfill_cursor=resume, backfill_until=until)
        elif newest:
            notes, resume = self._read_back(start="", until=newest, timeout=timeout)
            next_state = {"newest_indexed_at": _latest(notes, newest)}
            if resume:
                next_state.update(backfill_cursor=resume, backfill_until=newest)
        else:
            notes, _ = self._page(cursor="", timeout=timeout)
            latest = _latest(notes, "")
            next_state = {"newest_indexed_at": latest} if latest else {}
        brand_did = self._brand_did(timeout=timeout)
        items: dict[str, InboundItem] = {}
        for note in notes:
            try:
                item = item_from_notification(
                    note, brand_did=brand_did, max_text_chars=DEFAULT_MAX_TEXT_CHARS
                )
            except PayloadError as exc:
                # One unreadable notification must not stop the others.
                log.warning("skipping a Bluesky notification: %s", exc)
                continue
            if item is not None:
                items.setdefault(item.external_id, item)
        ordered = sorted(items.values(), key=lambda item: (item.created_at, item.external_id))
        return PollResult(items=ordered, cursor=next_state)

    def _page(self, *, cursor: str, timeout: float) -> tuple[list[Mapping[str, Any]], str]:
        params: dict[str, Any] = {"reasons": list(INBOUND_REASONS), "limit": PAGE_SIZE}
        if cursor:
            params["cursor"] = cursor
        page = self.client.query(
            "app.bsky.notification.listNotifications",
            params=params,
            timeout=timeout,
            what="listing notifications",
        )
        if not isinstance(page, Mapping) or not isinstance(page.get("notifications"), list):
            raise ConnectorError(
                "Bluesky answered listNotifications without a notifications list",
                permanent=False,
            )
        notes = [note for note in page["notifications"] if isinstance(note, Mapping)]
        return notes, str(page.get("cursor") or "")

    def _read_back(
        self, *, start: str, until: str, timeout: float
    ) -> tuple[list[Mapping[str, Any]], str]:
        """Notifications from ``start`` (empty: the newest) back to ``until`` less OVERLAP.

        Returns them and the cursor to go on from, empty when the reading finished.
        """
        watermark = parse_datetime(until)
        stop_before = watermark - OVERLAP if watermark else None
        collected: list[Mapping[str, Any]] = []
        cursor = start
        for _ in range(MAX_PAGES):
            notes, cursor = self._page(cursor=cursor, timeout=timeout)
            for note in notes:
                indexed_at = parse_datetime(note.get("indexedAt"))
                if stop_before is not None and indexed_at is not None and indexed_at < stop_before:
                    return collected, ""
                collected.append(note)
            if not notes or not cursor or stop_before is None:
                return collected, ""
        return collected, cursor

    # --- outbound -------------------------------------------------------------------------

    def check(self, reply: OutboundReply, *, now: datetime) -> None:
        if reply.effective_mode is not ReplyMode.PUBLIC_REPLY:
            raise RuleViolation(NO_DIRECT_MESSAGES + ".")
        if not reply.text.strip():
            raise RuleViolation("The reply is empty.")
        graphemes = grapheme_count(reply.text)
        if graphemes > MAX_GRAPHEMES:
            raise RuleViolation(
                f"Too long for Bluesky: {graphemes} characters, the limit is {MAX_GRAPHEMES}."
            )
        size = utf8_len(reply.text)
        if size > MAX_BYTES:
            raise RuleViolation(
                f"Too long for Bluesky: {size} bytes of text, the limit is {MAX_BYTES}."
            )

    def send(self, reply: OutboundReply, *, timeout: float) -> SendResult:
        """Post a reply in the thread of ``reply_to_external_id`` (an at:// post uri).

        Bluesky has no idempotency key, so this looks first (``find_sent``): when an earlier
        attempt's answer was lost, that post is returned instead of posting again. Raises
        ConnectorError (permanent for a reply ``check`` refuses).
        """
        try:
            self.check(reply, now=datetime.now(UTC))
        except RuleViolation as exc:
            raise ConnectorError(str(exc), permanent=True) from exc
        parent_uri = reply.reply_to_external_id
        if not parent_uri.startswith("at://"):
            raise ConnectorError(
                "a Bluesky reply needs the at:// uri of the post it answers", permanent=True
            )
        already = self.find_sent(reply, timeout=timeout)
        if already is not None:
            return already
        parent = self._get_post(parent_uri, timeout=timeout)
        try:
            refs = reply_refs(parent)
        except PayloadError as exc:
            raise ConnectorError(f"cannot answer {parent_uri}: {exc}", permanent=True) from exc
        author = _mapping(parent.get("author"))
        known = {str(author.get("handle") or ""): str(author.get("did") or "")}
        resolved = self._resolve_handles(reply.text, known=known, timeout=timeout)
        record = post_record(
            text=reply.text,
            created_at=datetime.now(UTC),
            reply=refs,
            facets=text_facets(reply.text, resolved),
            langs=self._langs(),
        )
        result = self.client.procedure(
            "com.atproto.repo.createRecord",
            body={
                "repo": self._brand_did(timeout=timeout),
                "collection": POST_COLLECTION,
                "record": record,
            },
            timeout=timeout,
            what="posting the reply",
        )
        uri = result.get("uri") if isinstance(result, Mapping) else None
        if not uri:
            # Posted, but careline cannot tell which post it is: a retry could post twice.
            raise ConnectorError(
                "Bluesky accepted the reply but returned no uri; check the brand's profile "
                "before sending it again",
                permanent=True,
            )
        return SendResult(external_id=str(uri), status_code=200)

    def find_sent(self, reply: OutboundReply, *, timeout: float) -> SendResult | None:
        """The brand's post answering the same parent with the same text, if it went out.

        Looks at the brand's latest FIND_SENT_WINDOW posts; ``send`` calls it before posting.
        """
        if not reply.reply_to_external_id:
            return None
        did = self._brand_did(timeout=timeout)
        feed = self.client.query(
            "app.bsky.feed.getAuthorFeed",
            params={"actor": did, "limit": FIND_SENT_WINDOW, "filter": "posts_with_replies"},
            timeout=timeout,
            what="reading the brand's posts",
        )
        entries = feed.get("feed") if isinstance(feed, Mapping) else None
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, Mapping) or entry.get("reason"):
                continue  # reposts carry a reason; they are not the brand's replies
            post = entry.get("post")
            if not isinstance(post, Mapping):
                continue
            author = post.get("author")
            if not isinstance(author, Mapping) or author.get("did") != did:
                continue
            record = _mapping(post.get("record"))
            parent = _mapping(_mapping(record.get("reply")).get("parent"))
            if (
                parent.get("uri") == reply.reply_to_external_id
                and record.get("text") == reply.text
                and post.get("uri")
            ):
                return SendResult(external_id=str(post["uri"]), status_code=200)
        return None

    def moderate(self, external_id: str, action: Action, *, timeout: float) -> None:
        """Delete one of the brand's own posts. Anything else is refused (permanent)."""
        if action is not Action.DELETE:
            raise ConnectorError(
                f"Bluesky cannot {action} posts from careline: an account can delete only its "
                "own posts. Mute, block or report the author on Bluesky instead",
                permanent=True,
            )
        try:
            repo, collection, rkey = split_at_uri(external_id)
        except PayloadError as exc:
            raise ConnectorError(str(exc), permanent=True) from exc
        did = self._brand_did(timeout=timeout)
        if repo != did:
            raise ConnectorError(
                f"Bluesky lets an account delete only its own posts; this one belongs to "
                f"{repo}. Mute, block or report it on Bluesky instead",
                permanent=True,
            )
        self.client.procedure(
            "com.atproto.repo.deleteRecord",
            body={"repo": repo, "collection": collection, "rkey": rkey},
            timeout=timeout,
            what="deleting the post",
        )

    # --- helpers --------------------------------------------------------------------------

    def _get_post(self, uri: str, *, timeout: float) -> Mapping[str, Any]:
        answer = self.client.query(
            "app.bsky.feed.getPosts",
            params={"uris": [uri]},
            timeout=timeout,
            what="looking up the post being answered",
        )
        posts = answer.get("posts") if isinstance(answer, Mapping) else None
        for post in posts if isinstance(posts, list) else []:
            if isinstance(post, Mapping) and post.get("uri") == uri:
                return post
        raise ConnectorError(
            f"the post {uri} was deleted or is not visible to the brand account", permanent=True
        )

    def _resolve_handles(
        self, text: str, *, known: Mapping[str, str], timeout: float
    ) -> dict[str, str]:
        """DIDs for the @handles in ``text``: ``known`` ones, then up to MAX_HANDLE_LOOKUPS
        looked up. A handle that does not resolve stays plain text."""
        resolved = {handle.lower(): did for handle, did in known.items() if handle and did}
        lookups = 0
        for handle in mentioned_handles(text):
            if handle in resolved or lookups >= MAX_HANDLE_LOOKUPS:
                continue
            lookups += 1
            try:
                answer = self.client.query(
                    "com.atproto.identity.resolveHandle",
                    params={"handle": handle},
                    timeout=timeout,
                    what=f"resolving @{handle}",
                )
            except ConnectorError as exc:
                if not exc.permanent:
                    raise  # nothing was posted yet: the retry will try again
                continue
            did = answer.get("did") if isinstance(answer, Mapping) else None
            if isinstance(did, str) and did.startswith("did:"):
                resolved[handle] = did
        return resolved


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _latest(notes: Sequence[Mapping[str, Any]], current: str) -> str:
    """The newest ``indexedAt`` among ``notes`` and ``current``, as Bluesky wrote it."""
    best, best_at = current, parse_datetime(current)
    for note in notes:
        value = note.get("indexedAt")
        moment = parse_datetime(value)
        if moment is not None and (best_at is None or moment > best_at):
            best, best_at = str(value), moment
    return best
