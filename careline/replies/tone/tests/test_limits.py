"""The limits the guard repeats must stay those of the connectors."""

from __future__ import annotations

import pytest

from careline.connectors.mastodon import payloads as mastodon
from careline.connectors.meta import connector as meta
from careline.replies.tone import limits


def test_repeated_limits_equal_the_connectors() -> None:
    assert limits.MASTODON_MAX == mastodon.DEFAULT_MAX_CHARACTERS
    assert limits.MESSENGER_TEXT_LIMIT == meta.MESSENGER_TEXT_LIMIT
    assert limits.INSTAGRAM_DM_LIMIT == meta.INSTAGRAM_DM_LIMIT
    assert limits.FACEBOOK_COMMENT_LIMIT == meta.FACEBOOK_COMMENT_LIMIT
    assert limits.INSTAGRAM_COMMENT_LIMIT == meta.INSTAGRAM_COMMENT_LIMIT


@pytest.mark.parametrize(
    ("platform", "public", "maximum"),
    [
        ("x", True, 280),
        ("x", False, 10_000),
        ("bluesky", True, 300),
        ("mastodon", True, 500),
        ("instagram", True, 2200),
        ("instagram", False, 1000),
        ("facebook", True, 8000),
        ("facebook", False, 1999),
        ("messenger", False, 1999),
    ],
)
def test_limit_per_platform(platform: str, public: bool, maximum: int) -> None:
    limit = limits.limit_for(platform, public=public)
    assert limit is not None
    assert limit.maximum == maximum


def test_no_limit_for_generic_or_unknown_platforms() -> None:
    assert limits.limit_for("generic", public=True) is None
    assert limits.limit_for("", public=False) is None


def test_first_over_finds_where_a_text_stops_fitting() -> None:
    limit = limits.limit_for("mastodon", public=True)
    assert limit is not None
    assert limits.first_over("a" * 500, limit) == 500
    assert limits.first_over("a" * 501, limit) == 500
