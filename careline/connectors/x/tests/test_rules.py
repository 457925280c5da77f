"""How careline counts a post's length the way X does (approximately; see rules.py)."""

from __future__ import annotations

import pytest

from careline.connectors.x.rules import dm_length, weighted_length


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", 5),
        ("Grüße, Zoë — ça va?", 19),  # Latin-1 and general punctuation count 1
        ("e\u0301", 1),  # e + combining acute is normalised to é
        ("日本語", 6),  # CJK counts 2
        ("👍", 2),
        ("👍🏽", 2),  # skin tone modifier belongs to the emoji
        ("👩\u200d💻", 2),  # a ZWJ sequence is one emoji
        ("❤️", 2),  # with variation selector 16
        ("🇳🇴", 2),  # a flag is one emoji
        ("🇳🇴🇩🇪", 4),
        ("https://example.com/a/very/long/path/that/goes/on/and/on", 23),
        ("see www.example.com/track.", 4 + 23 + 1),  # the trailing dot is not part of the link
        ("a https://x.com b http://y.org", 2 + 23 + 3 + 23),
        ("example.com/track", 17),  # a bare domain is counted by its letters (X: 23)
    ],
)
def test_weighted_length(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_a_direct_messages_length_is_its_characters_after_normalisation() -> None:
    assert dm_length("e\u0301" * 3 + "日本") == 5
