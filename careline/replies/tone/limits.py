"""Platform length limits, measured the way each platform counts.

X and Bluesky limits come from their connectors (plain Python). The Meta connector imports the
HTTP client, which needs Django, and the Mastodon payloads import httpx (0.1 s), so their limits
are repeated here; a test checks they still equal the connectors'.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from careline.connectors.bluesky.richtext import MAX_GRAPHEMES as BLUESKY_MAX_GRAPHEMES
from careline.connectors.x.rules import (
    DM_MAX_CHARS,
    TWEET_MAX_WEIGHT,
    URL_WEIGHT,
    dm_length,
    weighted_length,
)
from careline.lib.text import grapheme_count

MASTODON_MAX = 500  # the default; an instance may allow more
MESSENGER_TEXT_LIMIT = 2000  # exclusive: "less than 2000 characters"
INSTAGRAM_DM_LIMIT = 1000
FACEBOOK_COMMENT_LIMIT = 8000
INSTAGRAM_COMMENT_LIMIT = 2200


@dataclass(frozen=True)
class Limit:
    """At most ``maximum`` units as ``measure`` counts them; ``unit`` names them for people."""

    maximum: int
    measure: Callable[[str], int]
    unit: str
    where: str
    # A cheap number never below ``measure(text)``: most replies fit without measuring.
    bound: Callable[[str], int] = field(default=len)

    def fits(self, text: str) -> bool:
        return self.bound(text) <= self.maximum or self.measure(text) <= self.maximum


def _chars(text: str) -> int:
    return len(text)


def _x_weight_bound(text: str) -> int:
    """At least X's weighted length: ASCII weighs 1, anything else at most 2, a link 23.

    Only for NFC-normalised text (normalising can lengthen a few characters)."""
    if not unicodedata.is_normalized("NFC", text):
        return 1 << 62
    ascii_count = len(text.encode("ascii", "ignore"))
    lowered = text.lower()
    links = lowered.count("http") + lowered.count("www.")
    return ascii_count + 2 * (len(text) - ascii_count) + URL_WEIGHT * links


def limit_for(platform: str, *, public: bool) -> Limit | None:
    """The length limit of a reply on ``platform`` (None: no known limit)."""
    if platform == "x":
        if public:
            return Limit(
                TWEET_MAX_WEIGHT,
                weighted_length,
                "weighted characters",
                "an X post",
                _x_weight_bound,
            )
        return Limit(DM_MAX_CHARS, dm_length, "characters", "an X direct message")
    if platform == "bluesky":
        return Limit(BLUESKY_MAX_GRAPHEMES, grapheme_count, "characters", "a Bluesky post")
    if platform == "mastodon":
        return Limit(MASTODON_MAX, _chars, "characters", "a Mastodon post")
    if platform == "instagram":
        if public:
            return Limit(INSTAGRAM_COMMENT_LIMIT, _chars, "characters", "an Instagram comment")
        return Limit(INSTAGRAM_DM_LIMIT, _chars, "characters", "an Instagram message")
    if platform == "messenger" or (platform == "facebook" and not public):
        return Limit(MESSENGER_TEXT_LIMIT - 1, _chars, "characters", "a Messenger message")
    if platform == "facebook":
        return Limit(FACEBOOK_COMMENT_LIMIT, _chars, "characters", "a Facebook comment")
    return None


_PIECES = re.compile(r"[^ \t\n]+|[ \t\n]+")


def over_limit(text: str, limit: Limit) -> tuple[int, int] | None:
    """None if ``text`` fits, else (its length as the platform counts it, the offset of the
    first character beyond the limit).

    The text is measured word by word, once: every measure here adds up over words split at
    ASCII spaces, tabs and newlines (each of which counts 1; a test checks the sums and cuts
    against measuring every prefix), so only the word that crosses the limit is searched
    character by character. X's measure is slow in pure Python (about
    5 µs a character), so this matters while an agent types past the limit.
    """
    if limit.bound(text) <= limit.maximum:
        return None
    total = 0
    cut: int | None = None
    for match in _PIECES.finditer(text):
        piece = match.group()
        spaces = piece[0] in " \t\n"
        weight = len(piece) if spaces else limit.measure(piece)
        if cut is None and total + weight > limit.maximum:
            room = limit.maximum - total
            if spaces:
                cut = match.start() + room
            else:
                low, high = 0, len(piece)  # measure(piece[:low]) <= room < measure(piece[:high])
                while high - low > 1:
                    middle = (low + high) // 2
                    if limit.measure(piece[:middle]) <= room:
                        low = middle
                    else:
                        high = middle
                cut = match.start() + low
        total += weight
    if cut is None:
        return None
    return total, cut
