"""What X refuses before we ask it: reply lengths. Pure functions.

X counts a post's length as "weighted characters" (twitter-text, configuration v3): after
Unicode NFC normalisation each code point in Latin-1, general punctuation and a few other ranges
counts 1, every other code point (CJK, emoji, most non-Latin scripts) counts 2, and each URL
counts 23 whatever its length. The limit is 280 for standard accounts.

This module approximates twitter-text without its URL grammar:

- URLs are recognised only with a scheme (``http://``, ``https://``) or a ``www.`` prefix;
  a bare domain ("example.com/track") is counted by its letters, where X would count 23.
- An emoji sequence (ZWJ sequences, skin tones, variation selectors, flag pairs) counts 2, as
  X's emoji parsing does; keycap sequences count like their base character.

So a count may differ from X's by a few characters at the edges; a reply X still refuses fails
with X's own message (HTTP 400/403, a permanent delivery failure the agent sees).
"""

from __future__ import annotations

import re
import unicodedata

TWEET_MAX_WEIGHT = 280
DM_MAX_CHARS = 10_000
URL_WEIGHT = 23

# twitter-text v3 ranges with weight 1 (scale 100, default weight 200).
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_ZWJ = 0x200D
# Parts of an emoji sequence that add nothing to it: variation selectors, skin-tone modifiers,
# tag characters (subdivision flags), the combining keycap.
_SILENT = {0xFE0E, 0xFE0F, 0x20E3, *range(0x1F3FB, 0x1F400), *range(0xE0020, 0xE0080)}
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)
# Trailing punctuation is not part of a URL ("see https://x.com/a." ends before the dot).
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+?(?=[.,;:!?'\")\]]*(?:\s|$))", re.IGNORECASE)


def _weight(codepoint: int) -> int:
    return 1 if any(low <= codepoint <= high for low, high in _LIGHT_RANGES) else 2


def weighted_length(text: str) -> int:
    """The length X would count for a post (see the module docstring for the approximation)."""
    normalised = unicodedata.normalize("NFC", text)
    total = URL_WEIGHT * len(_URL.findall(normalised))
    remainder = _URL.sub("", normalised)
    previous_heavy = False  # the last counted code point weighed 2 (an emoji or the like)
    joining = False  # a ZWJ follows an emoji: the next emoji belongs to the same sequence
    open_flag = False  # a first regional indicator waits for its pair
    for char in remainder:
        codepoint = ord(char)
        if codepoint in _SILENT:
            continue
        if codepoint == _ZWJ and previous_heavy:
            joining = True
            continue
        if codepoint in _REGIONAL_INDICATORS:
            if open_flag:
                open_flag = False
                continue
            open_flag = True
            total += 2
            previous_heavy = True
            continue
        open_flag = False
        weight = _weight(codepoint)
        if joining and weight == 2:
            joining = False
            continue
        joining = False
        total += weight
        previous_heavy = weight == 2
    return total


def dm_length(text: str) -> int:
    """A direct message's length as X limits it: characters after NFC normalisation."""
    return len(unicodedata.normalize("NFC", text))


def public_reply_problem(text: str) -> str:
    """Why X would refuse this text as a post ("" when it would not)."""
    if not text.strip():
        return "This reply is empty — write something before sending"
    count = weighted_length(text)
    if count <= TWEET_MAX_WEIGHT:
        return ""
    how = ""
    if count != len(text):
        how = " (X counts each link as 23 and emoji and CJK characters as 2)"
    return (
        f"This reply is {count:,} characters{how}; X allows {TWEET_MAX_WEIGHT} — "
        "shorten it or answer privately"
    )


def direct_message_problem(text: str) -> str:
    """Why X would refuse this text as a direct message ("" when it would not)."""
    if not text.strip():
        return "This message is empty — write something before sending"
    count = dm_length(text)
    if count <= DM_MAX_CHARS:
        return ""
    return (
        f"This message is {count:,} characters; X allows {DM_MAX_CHARS:,} in a direct "
        "message — shorten it or split it into two messages"
    )
