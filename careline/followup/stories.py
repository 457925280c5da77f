"""Anonymised success-story drafts. Pure: no Django, no clock.

A story is written for the public feed, so it carries as little of the person as possible: the
first letter of their first name, the platform, what the case was about (a topic label) and
what they said about our help (their survey comment), with every piece of private data the
triage rules find removed, plus links, @handles, e-mail addresses, long numbers (order and
phone numbers, however written) and the person's own names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from careline.triage.analysers.private_data import PLACEHOLDERS, PrivateDataAnalyser

MAX_QUOTE_CHARS = 280

_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
_HANDLE = re.compile(r"(?<![\w@])@[\w.\-]+")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# Any run of four or more digits, also when grouped ("1234 5678", "12-34-56"): order numbers,
# phone numbers, postcodes, parts of card numbers.
_LONG_NUMBER = re.compile(r"#?\d[\d\s\-./]{2,}\d")
_HASH_ID = re.compile(r"#\w*\d\w*")
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
_SPACES = re.compile(r"[ \t]{2,}")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

_detector = PrivateDataAnalyser()


def first_initial(name: str) -> str:
    """``"Jane Smith"`` → ``"J."``; ``""`` when the name has no letter to start with."""
    match = _WORD.search(name or "")
    return f"{match.group(0)[0].upper()}." if match else ""


def private_data_types(text: str) -> list[str]:
    """The kinds of private data the triage rules find in ``text`` (sorted, unique)."""
    return sorted({finding.type for finding in _detector.find(text)})


def anonymise(text: str, *, names: Iterable[str] = ()) -> str:
    """``text`` with private data, links, handles, long numbers and ``names`` removed.

    ``names`` are the person's name and handle; each word of three or more letters in them is
    replaced by ``…`` wherever it appears (case-insensitive, whole words).
    """
    out = _detector.redact(text, _detector.find(text))
    out = _PLACEHOLDER.sub("…", out)
    out = _URL.sub("…", out)
    out = _EMAIL.sub("…", out)
    out = _HANDLE.sub("…", out)
    out = _HASH_ID.sub("…", out)
    out = _LONG_NUMBER.sub(_long_number, out)
    words = {w.lower() for name in names for w in _WORD.findall(name or "") if len(w) >= 3}
    for word in sorted(words, key=len, reverse=True):
        out = re.sub(rf"(?i)(?<!\w){re.escape(word)}(?!\w)", "…", out)
    out = re.sub(r"#\s?…", "…", out)
    out = re.sub(r"…(?:\s*…)+", "…", out)
    return _SPACES.sub(" ", out).strip()


def _long_number(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "…" if digits >= 4 else match.group(0)


@dataclass(frozen=True)
class StoryFacts:
    """What a story may say. ``comment`` is the survey comment as the customer wrote it."""

    initial: str
    platform: str
    topic: str
    score: int | None
    comment: str
    names: tuple[str, ...] = ()


def compose_story(facts: StoryFacts) -> str:
    """The draft a supervisor edits. Only facts that cannot identify the person, and the
    customer's comment anonymised and cut to a short quote."""
    who = f"A customer, {facts.initial}," if facts.initial else "A customer"
    about = f" about {facts.topic.replace('-', ' ').replace('_', ' ')}" if facts.topic else ""
    lines = [f"{who} got in touch with us on {facts.platform}{about}. We sorted it out together."]
    quote = anonymise(facts.comment, names=facts.names) if facts.comment else ""
    if len(quote) > MAX_QUOTE_CHARS:
        quote = quote[: MAX_QUOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    if quote.strip("… "):
        lines.append(f"In their words: “{quote}”")
    if facts.score is not None:
        lines.append(f"They rated our help {facts.score} out of 5.")
    return "\n\n".join(lines)
