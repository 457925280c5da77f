"""Reading the timestamps platforms send. Pure functions, no dependency."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_iso_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string ("Z" allowed), or None if it is not one.

    Naive values are read as UTC: APIs document an offset, but not every client sends one.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    raw = value.strip()
    if raw[-1] in "zZ":
        raw = raw[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
