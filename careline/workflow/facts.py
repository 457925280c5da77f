"""What escalation rules can look at: ``CaseFacts``, the field registry, text cues. Pure.

The caller gathers facts from triage and the case; ``find_legal_terms`` and
``find_safety_terms`` turn message text into the word lists rules quote back in reasons.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from careline.workflow.sla import Priority

# Whole words or phrases, matched case-insensitively. Kept apart from triage's severity cues
# because here the matched words are quoted back in the reason.
LEGAL_TERMS = (
    "lawyer",
    "lawyers",
    "solicitor",
    "solicitors",
    "attorney",
    "lawsuit",
    "sue you",
    "suing you",
    "sue them",
    "legal action",
    "take you to court",
    "small claims",
    "trading standards",
    "ombudsman",
    "class action",
    "cease and desist",
    "data protection",
    "gdpr",
)
SAFETY_TERMS = (
    "injury",
    "injured",
    "injuries",
    "hospital",
    "caught fire",
    "on fire",
    "burnt",
    "burned me",
    "burned my",
    "electric shock",
    "exploded",
    "explosion",
    "smoke",
    "smoking",
    "poisoning",
    "poisoned",
    "allergic reaction",
    "choking",
    "choked",
    "unsafe",
    "dangerous",
    "hurt myself",
    "kill myself",
    "suicide",
    "self harm",
    "self-harm",
)


def _terms_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    words = sorted(terms, key=len, reverse=True)
    return re.compile(
        r"(?i)(?<![\w-])("
        + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
        + r")(?![\w-])"
    )


_LEGAL = _terms_pattern(LEGAL_TERMS)
_SAFETY = _terms_pattern(SAFETY_TERMS)


def _find(pattern: re.Pattern[str], text: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for match in pattern.finditer(text[:20_000]):
        found.setdefault(" ".join(match.group(1).lower().split()), None)
    return tuple(found)


def find_legal_terms(text: str) -> tuple[str, ...]:
    """Legal-threat words in ``text``, lower-cased, in order of first appearance."""
    return _find(_LEGAL, text)


def find_safety_terms(text: str) -> tuple[str, ...]:
    """Safety words (injury, fire, self-harm...) in ``text``, lower-cased, first-seen order."""
    return _find(_SAFETY, text)


_SENTIMENT_RANK = {"negative": 0, "neutral": 1, "positive": 2}


@dataclass(frozen=True)
class CaseFacts:
    """What rules can look at, gathered by the caller from triage and the case.

    ``severity`` is 0-100; ``repeat_contacts`` counts this author's cases in the last
    ``repeat_window_days``; ``sla_breached`` holds the overdue clock names (``Clocks.overdue``);
    ``legal_terms``/``safety_terms`` come from ``find_legal_terms``/``find_safety_terms``.
    """

    severity: int = 0
    kind: str = ""
    sentiment: str = ""
    previous_sentiment: str = ""
    legal_terms: tuple[str, ...] = ()
    safety_terms: tuple[str, ...] = ()
    author_followers: int = 0
    repeat_contacts: int = 0
    repeat_window_days: int = 30
    sla_breached: tuple[str, ...] = ()
    crisis: bool = False
    priority: str = Priority.NORMAL.value
    channel: str = ""
    topic: str = ""
    language: str = ""
    has_private_data: bool = False
    hours_open: float = 0.0

    @property
    def legal_threat(self) -> bool:
        return bool(self.legal_terms)

    @property
    def safety_risk(self) -> bool:
        return bool(self.safety_terms)

    @property
    def sentiment_worsened(self) -> bool:
        """True when sentiment moved down (positive > neutral > negative) since last time."""
        now = _SENTIMENT_RANK.get(self.sentiment)
        before = _SENTIMENT_RANK.get(self.previous_sentiment)
        return now is not None and before is not None and now < before


FieldKind = Literal["number", "text", "flag", "set"]


@dataclass(frozen=True)
class FactField:
    """A field rules may test: its kind decides the operators allowed; ``label`` is how
    reasons name it."""

    name: str
    kind: FieldKind
    label: str


FACT_FIELDS: dict[str, FactField] = {
    f.name: f
    for f in (
        FactField("severity", "number", "severity"),
        FactField("kind", "text", "kind"),
        FactField("sentiment", "text", "sentiment"),
        FactField("previous_sentiment", "text", "previous sentiment"),
        FactField("sentiment_worsened", "flag", "worsening sentiment"),
        FactField("legal_terms", "set", "legal words"),
        FactField("legal_threat", "flag", "legal threat"),
        FactField("safety_terms", "set", "safety words"),
        FactField("safety_risk", "flag", "safety risk"),
        FactField("author_followers", "number", "author followers"),
        FactField("repeat_contacts", "number", "repeated contacts"),
        FactField("sla_breached", "set", "breached SLA clocks"),
        FactField("crisis", "flag", "crisis"),
        FactField("priority", "text", "priority"),
        FactField("channel", "text", "channel"),
        FactField("topic", "text", "topic"),
        FactField("language", "text", "language"),
        FactField("has_private_data", "flag", "private data"),
        FactField("hours_open", "number", "hours open"),
    )
}
