"""limit/offset paging for every list endpoint, answered as ``{"count": N, "items": [...]}``."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Paging(LimitOffsetPagination):
    """``limit`` from 1 to 200 (default 50), ``offset`` from 0. Out-of-range values are a 422,
    not clamped, so a client never silently receives fewer items than it asked for."""

    class Input(LimitOffsetPagination.Input):
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT} items."
        )
        offset: int = Field(0, ge=0, description="How many items to skip.")

    class Output(Schema):
        count: int
        items: list[Any]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
