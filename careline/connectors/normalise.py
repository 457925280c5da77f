"""Turn one loosely typed record (a JSON object or a CSV row) into an InboundItem.

Shared by the generic webhook and the file import, so both accept exactly the same fields
and give the same reasons for refusing a record.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from careline.connectors.base import InboundItem, PayloadError, follower_count

MAX_ID_CHARS = 128
_TRUE = {"public", "true", "1", "yes"}
_FALSE = {"private", "false", "0", "no", "dm", "direct"}


def _text_field(record: Mapping[str, Any], key: str, *, required: bool, limit: int) -> str:
    value = record.get(key)
    if value is None or value == "":
        if required:
            raise PayloadError(f"missing {key}")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(f"{key} must be a string")
    text = str(value).strip() if key != "text" else str(value)
    if "\x00" in text:
        raise PayloadError(f"{key} contains a NUL character")
    if len(text) > limit:
        raise PayloadError(f"{key} is too long ({len(text)} characters, limit {limit})")
    return text


def parse_timestamp(value: Any) -> datetime:
    """ISO 8601 with an offset, or a Unix time in seconds. Naive times are refused."""
    if isinstance(value, bool):
        raise PayloadError("created_at must be a time")
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise PayloadError("created_at is out of range") from exc
    if not isinstance(value, str) or not value.strip():
        raise PayloadError("missing created_at")
    raw = value.strip()
    if raw.isdigit():
        return parse_timestamp(int(raw))
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise PayloadError(f"created_at {raw[:40]!r} is not an ISO 8601 time") from exc
    if parsed.tzinfo is None:
        raise PayloadError("created_at has no time zone (add Z or an offset)")
    return parsed.astimezone(UTC)


def parse_visibility(value: Any) -> bool:
    """True for public. Missing means public: most platform items are public posts."""
    if value is None or value == "":
        return True
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise PayloadError(f"visibility {str(value)[:20]!r} is neither public nor private")


def item_from_record(record: Mapping[str, Any], *, max_text_chars: int) -> InboundItem:
    """Validate one record. Accepts flat CSV-style keys or a nested ``author`` object."""
    if not isinstance(record, Mapping):
        raise PayloadError("an item must be a JSON object")
    author = record.get("author")
    if author is not None and not isinstance(author, Mapping):
        raise PayloadError("author must be an object")
    flat = dict(record)
    if author is not None:
        flat.setdefault("author_id", author.get("id"))
        flat.setdefault("author_handle", author.get("handle"))
        flat.setdefault("author_name", author.get("name"))
        flat.setdefault("author_followers", author.get("followers"))
    visibility = flat.get("visibility", flat.get("public"))
    return InboundItem(
        external_id=_text_field(flat, "id", required=True, limit=MAX_ID_CHARS),
        author_id=_text_field(flat, "author_id", required=True, limit=MAX_ID_CHARS),
        author_handle=_text_field(flat, "author_handle", required=False, limit=200),
        author_name=_text_field(flat, "author_name", required=False, limit=200),
        text=_text_field(flat, "text", required=True, limit=max_text_chars),
        created_at=parse_timestamp(flat.get("created_at")),
        public=parse_visibility(visibility),
        reply_to=_text_field(flat, "reply_to", required=False, limit=MAX_ID_CHARS),
        author_followers=_followers_field(flat.get("author_followers")),
    )


def _followers_field(value: Any) -> int | None:
    """Optional follower count: a whole number ≥ 0 (CSV gives it as text); blank is None."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    count = follower_count(value)
    if count is None:
        raise PayloadError("author_followers must be a whole number of 0 or more")
    return count
