"""The limits the guard repeats must stay those of the connectors."""

from __future__ import annotations

import random

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


def test_over_limit_finds_where_a_text_stops_fitting() -> None:
    limit = limits.limit_for("mastodon", public=True)
    assert limit is not None
    assert limits.over_limit("a" * 500, limit) is None
    assert limits.over_limit("a" * 501, limit) == (501, 500)


def _brute_force_cut(text: str, limit: limits.Limit) -> int:
    return max(k for k in range(len(text) + 1) if limit.measure(text[:k]) <= limit.maximum)


@pytest.mark.parametrize(("platform", "public"), [("x", True), ("bluesky", True), ("x", False)])
def test_the_word_by_word_cut_equals_measuring_every_prefix(platform: str, public: bool) -> None:
    limit = limits.limit_for(platform, public=public)
    assert limit is not None
    limit = limits.Limit(40, limit.measure, limit.unit, limit.where, limit.bound)
    rng = random.Random(11)
    words = [
        "sorry",
        "👍🏽",
        "🇬🇧",
        "👩‍👩‍👧",
        "https://ex.am/ple?q=1",
        "www.shop.test",
        "é",
        "e\u0301",
        "日本",
        "  ",
        "\n",
        "x",
        "—",
        "Ελλάδα",
    ]
    for _ in range(150):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
        over = limits.over_limit(text, limit)
        if limit.measure(text) <= limit.maximum:
            assert over is None
        else:
            assert over == (limit.measure(text), _brute_force_cut(text, limit))
