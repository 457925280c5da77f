"""Meta webhook deliveries → InboundItems. Pure functions: no HTTP, no Django.

One delivery is ``{"object": "page"|"instagram", "entry": [...]}``; an entry carries
``changes[]`` (Page feed, Instagram comments and mentions), ``messaging[]`` (Messenger and
Instagram direct messages), or — in the Instagram-Login variant — ``field``/``value`` directly.

Tolerance rules (Meta disables a webhook that keeps failing, and one bad event must not cost the
other 999 of a batch):

- A body that is not JSON, or not a Meta envelope (no ``object``, ``entry`` not a list, an entry
  or a change that is not an object), raises PayloadError with the reason.
- Inside a well-formed envelope, events careline does not handle (reactions, shares, read
  receipts, postbacks, unknown fields, items or verbs) are skipped silently; a known event that
  lacks its id is skipped with a logged warning. The raw delivery stays in careline's event store.
- Entries for another account than the channel's (``entry.id``) are skipped: one Meta app can
  serve several Pages through the same callback.
- Text longer than ``max_text_chars`` is cut and marked ``extra["truncated"] = True`` rather than
  refusing the whole delivery.
- An item whose author or text Meta did not send (an Instagram mention, a Page comment without
  ``from``) is kept with ``author_id = ""``/``text = ""`` and ``extra["needs_fetch"] = True``:
  ingestion may complete it with a Graph call; careline never drops a customer's words.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from careline.connectors.base import Action, InboundItem, PayloadError

log = logging.getLogger(__name__)

PAGE_OBJECT = "page"
INSTAGRAM_OBJECT = "instagram"

# Page feed verbs careline acts on; the rest (block, follow, mute, unblock, update, …) are
# skipped. Meta sends both "edited" and "edit", and both "remove" and "delete".
FEED_VERBS = {
    "add": Action.ADD,
    "edited": Action.EDIT,
    "edit": Action.EDIT,
    "remove": Action.DELETE,
    "delete": Action.DELETE,
    "hide": Action.HIDE,
    "unhide": Action.UNHIDE,
}
# Visitor posts arrive as "post" or (◐) "status"; photo and video posts carry a link besides.
FEED_POST_ITEMS = {"post", "status", "photo", "video"}
# Attachment-like fields of feed values worth keeping for the agent.
_FEED_MEDIA_KEYS = ("photo", "photo_id", "photos", "video", "video_id", "link")

Entry = Mapping[str, Any]


# --- envelope ------------------------------------------------------------------------------


def load_entries(body: bytes, *, expected_object: str) -> list[Entry]:
    """The entries of a delivery for ``expected_object`` ("page" or "instagram").

    Raises PayloadError when the body is not JSON, not a Meta envelope, or for another object.
    """
    document = _load_document(body)
    got = document.get("object")
    if got != expected_object:
        raise PayloadError(f"expected a Meta delivery with object {expected_object!r}, got {got!r}")
    return _entries(document)


def entry_account_ids(body: bytes) -> list[str]:
    """The distinct ``entry.id`` values of a delivery (Page or Instagram account ids), in order.

    For routing one delivery to the channels it concerns. Raises PayloadError like parse.
    """
    ids: dict[str, None] = {}
    for entry in _entries(_load_document(body)):
        account = _id(entry.get("id"))
        if account:
            ids.setdefault(account, None)
    return list(ids)


def _load_document(body: bytes) -> Mapping[str, Any]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"body is not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise PayloadError("not a Meta webhook envelope: the body is not a JSON object")
    if "object" not in document:
        raise PayloadError("not a Meta webhook envelope: no 'object' field")
    return document


def _entries(document: Mapping[str, Any]) -> list[Entry]:
    entries = document.get("entry")
    if not isinstance(entries, list):
        raise PayloadError("not a Meta webhook envelope: 'entry' must be a list")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise PayloadError(f"entry {index} is not an object")
        for key in ("changes", "messaging"):
            if key in entry and not isinstance(entry[key], list):
                raise PayloadError(f"entry {index}: '{key}' must be a list")
        for position, change in enumerate(entry.get("changes") or []):
            if not isinstance(change, dict):
                raise PayloadError(f"entry {index}: change {position} is not an object")
        for position, event in enumerate(entry.get("messaging") or []):
            if not isinstance(event, dict):
                raise PayloadError(f"entry {index}: messaging event {position} is not an object")
    return entries


def _own_entries(entries: list[Entry], account_id: str) -> Iterator[Entry]:
    for entry in entries:
        entry_id = _id(entry.get("id"))
        if account_id and entry_id and entry_id != account_id:
            log.info("skipped a Meta entry for account %s (channel is %s)", entry_id, account_id)
            continue
        yield entry


def _changes(entry: Entry) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(field, value) pairs of an entry, from ``changes[]`` and from the Instagram-Login
    variant that puts ``field``/``value`` directly in the entry."""
    pairs = [(c.get("field"), c.get("value")) for c in entry.get("changes") or []]
    if "field" in entry:
        pairs.append((entry.get("field"), entry.get("value")))
    for field, value in pairs:
        if not isinstance(field, str):
            continue
        if not isinstance(value, dict):
            log.warning("skipped a Meta %r change whose value is not an object", field)
            continue
        yield field, value


# --- Facebook Page feed --------------------------------------------------------------------


def feed_items(entries: list[Entry], *, page_id: str, max_text_chars: int) -> list[InboundItem]:
    """Comments and visitor posts from Page ``feed`` changes; drops the Page's own."""
    items = []
    for entry in _own_entries(entries, page_id):
        account = _id(entry.get("id"))
        for field, value in _changes(entry):
            if field != "feed":
                continue
            item = _feed_item(
                value,
                account=account,
                page_id=page_id or account,
                entry_time=entry.get("time"),
                max_text_chars=max_text_chars,
            )
            if item is not None:
                items.append(item)
    return items


def _feed_item(
    value: Mapping[str, Any],
    *,
    account: str,
    page_id: str,
    entry_time: Any,
    max_text_chars: int,
) -> InboundItem | None:
    verb = value.get("verb")
    action = FEED_VERBS.get(verb) if isinstance(verb, str) else None
    kind_of = value.get("item")
    if action is None or not isinstance(kind_of, str):
        return None
    author = _object(value.get("from"))
    author_id = _id(author.get("id"))
    if page_id and author_id == page_id:
        return None  # the Page's own comment or post coming back
    post_id = _id(value.get("post_id"))
    extra: dict[str, Any] = {"account_id": account, "post_id": post_id}
    if kind_of == "comment":
        external_id = _id(value.get("comment_id"))
        parent_id = _id(value.get("parent_id"))
        # A reply to a comment names that comment; a top-level comment answers the post.
        reply_to = parent_id if parent_id and parent_id != post_id else post_id
        extra["parent_id"] = parent_id
        kind = "comment"
    elif kind_of in FEED_POST_ITEMS:
        external_id = post_id
        reply_to = ""
        extra["item"] = kind_of
        kind = "post"
    else:
        return None  # reactions, shares, albums, events, …
    if not external_id:
        log.warning("skipped a Page feed %s/%s without its id", kind_of, verb)
        return None
    for key in _FEED_MEDIA_KEYS:
        if key in value:
            extra[key] = value[key]
    created = _time(value.get("created_time"), millis=False) or _time(entry_time, millis=False)
    if created is None:
        log.warning("skipped Page feed %s %s without a time", kind_of, external_id)
        return None
    text = _text(value.get("message"))
    if action is Action.ADD and not author_id:
        extra["needs_fetch"] = True
    return _item(
        external_id=external_id,
        author_id=author_id,
        author_handle="",
        author_name=_text(author.get("name")),
        text=text,
        created_at=created,
        public=True,
        reply_to=reply_to,
        action=action,
        kind=kind,
        extra=extra,
        max_text_chars=max_text_chars,
    )


# --- Instagram comments and mentions ---------------------------------------------------------


def instagram_items(
    entries: list[Entry], *, account_id: str, max_text_chars: int
) -> list[InboundItem]:
    """Comments and mentions from Instagram changes (both envelope variants), then direct
    messages from ``messaging[]``; drops the account's own comments and echoes."""
    items = []
    for entry in _own_entries(entries, account_id):
        account = _id(entry.get("id"))
        own = account_id or account
        entry_time = entry.get("time")
        for field, value in _changes(entry):
            if field == "comments":
                item = _instagram_comment(
                    value,
                    account=account,
                    own=own,
                    entry_time=entry_time,
                    max_text_chars=max_text_chars,
                )
            elif field == "mentions":
                item = _instagram_mention(value, account=account, entry_time=entry_time)
            else:
                continue
            if item is not None:
                items.append(item)
    items.extend(messaging_items(entries, account_id=account_id, max_text_chars=max_text_chars))
    return items


def _instagram_comment(
    value: Mapping[str, Any],
    *,
    account: str,
    own: str,
    entry_time: Any,
    max_text_chars: int,
) -> InboundItem | None:
    external_id = _id(value.get("id"))
    if not external_id:
        log.warning("skipped an Instagram comment without its id")
        return None
    author = _object(value.get("from"))
    author_id = _id(author.get("id"))
    if own and author_id == own:
        return None  # the account's own reply coming back
    media = _object(value.get("media"))
    media_id = _id(media.get("id"))
    parent_id = _id(value.get("parent_id"))  # ⚠ replies are said to carry it
    extra: dict[str, Any] = {"account_id": account, "media_id": media_id}
    for key in ("media_product_type", "ad_id", "ad_title"):
        if media.get(key) is not None:
            extra[key] = media[key]
    if parent_id:
        extra["parent_id"] = parent_id
    if not author_id:
        extra["needs_fetch"] = True
    created = _time(value.get("timestamp"), millis=False) or _time(entry_time, millis=False)
    if created is None:
        log.warning("skipped Instagram comment %s without a time", external_id)
        return None
    username = _text(author.get("username"))
    return _item(
        external_id=external_id,
        author_id=author_id,
        author_handle="@" + username if username else "",
        author_name="",
        text=_text(value.get("text")),
        created_at=created,
        public=True,
        reply_to=parent_id or media_id,
        action=Action.ADD,
        kind="comment",
        extra=extra,
        max_text_chars=max_text_chars,
    )


def _instagram_mention(
    value: Mapping[str, Any], *, account: str, entry_time: Any
) -> InboundItem | None:
    # Meta sends only ids: the mentioning comment (or, for a caption mention, the media) must
    # be fetched for its text and author. The item is kept so the mention is not lost.
    media_id = _id(value.get("media_id"))
    comment_id = _id(value.get("comment_id"))
    external_id = comment_id or media_id
    if not external_id:
        log.warning("skipped an Instagram mention without media_id or comment_id")
        return None
    created = _time(entry_time, millis=False)
    if created is None:
        log.warning("skipped Instagram mention %s without a time", external_id)
        return None
    extra: dict[str, Any] = {"account_id": account, "media_id": media_id, "needs_fetch": True}
    if comment_id:
        extra["comment_id"] = comment_id
    return InboundItem(
        external_id=external_id,
        author_id="",
        author_handle="",
        author_name="",
        text="",
        created_at=created,
        public=True,
        reply_to=media_id if comment_id else "",
        action=Action.ADD,
        kind="mention",
        extra=extra,
    )


# --- Messenger and Instagram direct messages -------------------------------------------------


def messaging_items(
    entries: list[Entry], *, account_id: str, max_text_chars: int
) -> list[InboundItem]:
    """Direct messages from ``messaging[]``; drops echoes of the account's own messages.
    Read receipts, deliveries, postbacks, reactions and other events are skipped."""
    items = []
    for entry in _own_entries(entries, account_id):
        account = _id(entry.get("id"))
        own = account_id or account
        for event in entry.get("messaging") or []:
            item = _message(
                event,
                account=account,
                own=own,
                entry_time=entry.get("time"),
                max_text_chars=max_text_chars,
            )
            if item is not None:
                items.append(item)
    return items


def _message(
    event: Mapping[str, Any],
    *,
    account: str,
    own: str,
    entry_time: Any,
    max_text_chars: int,
) -> InboundItem | None:
    message = event.get("message")
    if not isinstance(message, dict):
        return None
    if message.get("is_echo") is True:
        return None
    sender = _object(event.get("sender"))
    sender_id = _id(sender.get("id"))
    if own and sender_id == own:
        return None  # an echo without the flag
    external_id = _id(message.get("mid"))
    if not external_id or not sender_id:
        log.warning("skipped a direct message without its mid or sender")
        return None
    created = _time(event.get("timestamp"), millis=True) or _time(entry_time, millis=True)
    if created is None:
        log.warning("skipped direct message %s without a time", external_id)
        return None
    extra: dict[str, Any] = {"account_id": account}
    attachments = _attachments(message.get("attachments"))
    if attachments:
        extra["attachments"] = attachments
    quick_reply = message.get("quick_reply")
    if isinstance(quick_reply, dict) and quick_reply.get("payload") is not None:
        extra["quick_reply_payload"] = str(quick_reply["payload"])
    reply_to = message.get("reply_to")
    replied_mid = _id(reply_to.get("mid")) if isinstance(reply_to, dict) else ""
    return _item(
        external_id=external_id,
        author_id=sender_id,
        author_handle="",
        author_name="",
        text=_text(message.get("text")),
        created_at=created,
        public=False,
        reply_to=replied_mid,
        action=Action.ADD,
        kind="dm",
        extra=extra,
        max_text_chars=max_text_chars,
    )


def _attachments(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        return []
    kept = []
    for attachment in value:
        if not isinstance(attachment, dict):
            continue
        payload = attachment.get("payload")
        url = payload.get("url") if isinstance(payload, dict) else None
        kept.append({"type": _text(attachment.get("type")), "url": _text(url)})
    return kept


# --- fields -------------------------------------------------------------------------------


def _item(*, text: str, max_text_chars: int, extra: dict[str, Any], **fields: Any) -> InboundItem:
    if len(text) > max_text_chars:
        text = text[:max_text_chars]
        extra["truncated"] = True
    return InboundItem(text=text, extra=extra, **fields)


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> str:
    """IDs are opaque strings; Meta sometimes sends them as numbers."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | str):
        return str(value).strip()
    return ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _time(value: Any, *, millis: bool) -> datetime | None:
    """A Unix time (seconds, or milliseconds for Messenger) or an ISO 8601 string; None when
    absent or unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        raw = value.strip()
        if raw.isdigit():
            return _time(int(raw), millis=millis)
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.astimezone(UTC) if parsed.tzinfo else None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value / 1000 if millis else value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None
