"""Text rules of Bluesky posts: grapheme counting and rich-text facets. Pure functions.

Facet offsets are UTF-8 *byte* offsets into the post text (start inclusive, end exclusive), not
Python string indices: "Café @jane.example.com" puts the mention at bytes 6 to 23, not at 5 to 22.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MAX_GRAPHEMES = 300
MAX_BYTES = 3000  # the lexicon's maxLength for post text, counted in UTF-8 bytes

MENTION_FEATURE = "app.bsky.richtext.facet#mention"
LINK_FEATURE = "app.bsky.richtext.facet#link"

# A handle is a domain name: labels of letters, digits and inner hyphens, at least two labels.
# The atomic group stops the regex from backing off to a shorter "handle" when the text goes
# on with a character a handle cannot contain ("@jane.example.com_x" is no mention at all).
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
_MENTION = re.compile(rf"(?:^|(?<=[\s(\[]))@(?P<handle>(?>{_LABEL}(?:\.{_LABEL})+))(?![\w-])")
_URL = re.compile(r"(?:^|(?<=[\s(\[]))https?://[^\s<>\"]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?'\")]"


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _byte_slice(text: str, start: int, end: int) -> dict[str, int]:
    byte_start = utf8_len(text[:start])
    return {"byteStart": byte_start, "byteEnd": byte_start + utf8_len(text[start:end])}


def mentioned_handles(text: str) -> list[str]:
    """The @handles written in ``text``, lower-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in _MENTION.finditer(text):
        seen.setdefault(match["handle"].lower(), None)
    return list(seen)


def mention_facets(text: str, resolved: Mapping[str, str]) -> list[dict[str, Any]]:
    """Mention facets for each ``@handle`` in ``text`` whose DID is known.

    ``resolved`` maps handles (any case, with or without "@") to DIDs; a handle missing from it
    stays plain text. The facet covers the "@" and the handle, in UTF-8 byte offsets.
    """
    dids = {handle.lower().lstrip("@"): did for handle, did in resolved.items() if did}
    facets = []
    for match in _MENTION.finditer(text):
        did = dids.get(match["handle"].lower())
        if did:
            facets.append(
                {
                    "index": _byte_slice(text, match.start(), match.end()),
                    "features": [{"$type": MENTION_FEATURE, "did": did}],
                }
            )
    return facets


def link_facets(text: str) -> list[dict[str, Any]]:
    """Link facets for the http(s) URLs in ``text``; without one a URL is not clickable.

    Trailing punctuation (a full stop ending the sentence, a closing bracket) is left out.
    """
    facets = []
    for match in _URL.finditer(text):
        url = match.group().rstrip(_URL_TRAILING)
        if "://" not in url or url.endswith("://"):
            continue
        facets.append(
            {
                "index": _byte_slice(text, match.start(), match.start() + len(url)),
                "features": [{"$type": LINK_FEATURE, "uri": url}],
            }
        )
    return facets


def text_facets(text: str, resolved: Mapping[str, str]) -> list[dict[str, Any]]:
    """Mention and link facets, ordered by position."""
    facets = mention_facets(text, resolved) + link_facets(text)
    return sorted(facets, key=lambda facet: facet["index"]["byteStart"])
