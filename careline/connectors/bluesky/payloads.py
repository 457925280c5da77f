"""Bluesky wire format → careline dataclasses and back. Pure functions: no HTTP, no clock."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from careline.connectors.base import InboundItem, PayloadError
from careline.lib.times import parse_iso_datetime

POST_COLLECTION = "app.bsky.feed.post"
# Notification reasons careline turns into items: someone wrote to or about the brand.
INBOUND_REASONS = ("mention", "reply")
DEFAULT_MAX_TEXT_CHARS = 20_000
MAX_NOTIFICATIONS_PER_BODY = 1000


def parse_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from the platform's ISO 8601 string, or None (see lib.times)."""
    return parse_iso_datetime(value)


def format_datetime(moment: datetime) -> str:
    """``2026-11-02T09:00:00.000Z``: the form Bluesky's own clients write."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _strong_ref(value: Any) -> tuple[str, str]:
    ref = _mapping(value)
    return str(ref.get("uri") or ""), str(ref.get("cid") or "")


def notifications_in(document: Any) -> list[Mapping[str, Any]]:
    """The notifications in one notification, a list of them or a listNotifications page."""
    if isinstance(document, Mapping) and "notifications" in document:
        records = document["notifications"]
        if not isinstance(records, list):
            raise PayloadError("notifications must be a list")
    elif isinstance(document, list):
        records = document
    elif isinstance(document, Mapping):
        records = [document]
    else:
        raise PayloadError("expected a notification, a list of them or a listNotifications page")
    if len(records) > MAX_NOTIFICATIONS_PER_BODY:
        raise PayloadError(f"more than {MAX_NOTIFICATIONS_PER_BODY} notifications in one body")
    for index, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise PayloadError(f"notification {index} is not an object")
    return records


def load_notifications(body: bytes) -> list[Mapping[str, Any]]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"body is not valid JSON: {exc}") from exc
    return notifications_in(document)


def item_from_notification(
    notification: Mapping[str, Any], *, brand_did: str, max_text_chars: int
) -> InboundItem | None:
    """The item for a mention or reply notification.

    Returns None for other reasons (likes, follows, …), for records that are not posts and for
    the brand's own posts. Raises PayloadError when a mention or reply lacks what careline needs.
    """
    reason = notification.get("reason")
    if reason not in INBOUND_REASONS:
        return None
    record = notification.get("record")
    if not isinstance(record, Mapping):
        raise PayloadError(f"{reason} notification has no record")
    if record.get("$type", POST_COLLECTION) != POST_COLLECTION:
        return None
    author = notification.get("author")
    if not isinstance(author, Mapping) or not author.get("did"):
        raise PayloadError(f"{reason} notification has no author DID")
    author_did = str(author["did"])
    if brand_did and author_did == brand_did:
        return None
    uri = notification.get("uri")
    if not isinstance(uri, str) or not uri.startswith("at://"):
        raise PayloadError(f"{reason} notification has no at:// uri")
    text = record.get("text", "")
    if not isinstance(text, str):
        raise PayloadError(f"{uri}: text must be a string")
    indexed_at = parse_datetime(notification.get("indexedAt"))
    # createdAt is what the author's client claims; indexedAt is when Bluesky saw the post.
    created_at = parse_datetime(record.get("createdAt")) or indexed_at
    if created_at is None:
        raise PayloadError(f"{uri}: neither createdAt nor indexedAt is a time")

    extra: dict[str, Any] = {
        "cid": str(notification.get("cid") or ""),
        "reason": reason,
        "indexed_at": str(notification.get("indexedAt") or ""),
    }
    reply = _mapping(record.get("reply"))
    parent_uri, parent_cid = _strong_ref(reply.get("parent"))
    if reply:
        root_uri, root_cid = _strong_ref(reply.get("root"))
        extra.update(
            root_uri=root_uri, root_cid=root_cid, parent_uri=parent_uri, parent_cid=parent_cid
        )
    langs = record.get("langs")
    if isinstance(langs, list) and all(isinstance(lang, str) for lang in langs):
        extra["langs"] = list(langs)
    if len(text) > max_text_chars:
        text = text[:max_text_chars]
        extra["truncated"] = True

    handle = str(author.get("handle") or "")
    return InboundItem(
        external_id=uri,
        author_id=author_did,
        author_handle="@" + handle if handle else "",
        author_name=str(author.get("displayName") or handle),
        text=text,
        created_at=created_at,
        public=True,
        reply_to=parent_uri,
        kind=str(reason),
        extra=extra,
    )


def items_from_notifications(
    notifications: Sequence[Mapping[str, Any]], *, brand_did: str, max_text_chars: int
) -> list[InboundItem]:
    """Items for the notifications that are mentions or replies, oldest first, one per post.

    Raises PayloadError naming the first notification careline cannot read.
    """
    items: dict[str, InboundItem] = {}
    for index, notification in enumerate(notifications):
        try:
            item = item_from_notification(
                notification, brand_did=brand_did, max_text_chars=max_text_chars
            )
        except PayloadError as exc:
            raise PayloadError(f"notification {index}: {exc}") from exc
        # A reply that also mentions the brand can arrive under both reasons.
        if item is not None and item.external_id not in items:
            items[item.external_id] = item
    return sorted(items.values(), key=lambda item: (item.created_at, item.external_id))


def reply_refs(parent_post: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The ``reply`` field of a post answering ``parent_post`` (a getPosts post view).

    The root is the parent's own root when the parent is itself a reply, else the parent.
    Raises PayloadError when the post view lacks a uri or cid.
    """
    uri, cid = _strong_ref(parent_post)
    if not uri or not cid:
        raise PayloadError("the post being answered has no uri or cid")
    record = _mapping(parent_post.get("record"))
    root_uri, root_cid = _strong_ref(_mapping(record.get("reply")).get("root"))
    root = {"uri": root_uri, "cid": root_cid} if root_uri and root_cid else {"uri": uri, "cid": cid}
    return {"root": root, "parent": {"uri": uri, "cid": cid}}


def post_record(
    *,
    text: str,
    created_at: datetime,
    reply: Mapping[str, Any] | None,
    facets: Sequence[Mapping[str, Any]] = (),
    langs: Sequence[str] = (),
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "$type": POST_COLLECTION,
        "text": text,
        "createdAt": format_datetime(created_at),
    }
    if reply:
        record["reply"] = dict(reply)
    if facets:
        record["facets"] = list(facets)
    if langs:
        record["langs"] = list(langs)
    return record


def split_at_uri(uri: str) -> tuple[str, str, str]:
    """``at://<did>/<collection>/<rkey>`` → (did, collection, rkey). Raises PayloadError."""
    if not uri.startswith("at://"):
        raise PayloadError(f"{uri[:80]!r} is not an at:// uri")
    parts = uri[len("at://") :].split("/")
    if len(parts) != 3 or not all(parts):
        raise PayloadError(f"{uri[:80]!r} does not name one record")
    return parts[0], parts[1], parts[2]
