"""Legitimacy evidence: the pure rules and how they combine (no Django, no database).

Each rule yields an :class:`Evidence` with a ``weight``: how strongly it suggests a fake (0-1).
Evidence that ``verifies`` (a matching order, a known customer) suggests the opposite. Weights
combine like independent signals (noisy-or): ``suspicion = 1 - prod(1 - weight)``.

- ``suspicious`` when suspicion >= 0.5; score = suspicion;
- else ``verified`` when some evidence verifies; score = 1 - suspicion;
- else ``legitimate``; score = 1 - suspicion.

The weights are hand-set (no labelled fakes exist to fit them); docs/triage.md lists them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SUSPICIOUS_AT = 0.5
FLOOD_AUTHORS = 3
FLOOD_WINDOW_HOURS = 24
FLOOD_MIN_WORDS = 6
FLOOD_MIN_CHARS = 30

WEIGHTS = {
    "link_spam": 0.6,
    "competitor_mention": 0.4,
    "competitor_promotion": 0.6,
    "order_not_found_in_complaint": 0.6,
    "order_not_found": 0.3,
    "order_of_another_customer": 0.3,
    "flood": 0.7,
    "gibberish": 0.6,
}

_URL = re.compile(r"(?i)(?:https?://|www\.)\S+")
_HANDLE = re.compile(r"(?<!\w)[@#]\w+")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_ASCII_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True, slots=True)
class Evidence:
    rule: str
    weight: float
    reason: str
    verifies: bool = False

    def to_dict(self) -> dict[str, object]:
        # Not dataclasses.asdict: this runs for every piece of evidence of every message.
        return {
            "rule": self.rule,
            "weight": self.weight,
            "reason": self.reason,
            "verifies": self.verifies,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Evidence:
        return cls(
            rule=str(data.get("rule", "")),
            weight=float(data.get("weight", 0.0)),  # type: ignore[arg-type]
            reason=str(data.get("reason", "")),
            verifies=bool(data.get("verifies", False)),
        )


def combine(evidence: Sequence[Evidence]) -> tuple[str, float]:
    """(label, score) from all the evidence; see the module docstring."""
    keep = 1.0
    for item in evidence:
        keep *= 1.0 - min(max(item.weight, 0.0), 1.0)
    suspicion = 1.0 - keep
    if suspicion >= SUSPICIOUS_AT:
        return "suspicious", round(suspicion, 4)
    label = "verified" if any(item.verifies for item in evidence) else "legitimate"
    return label, round(1.0 - suspicion, 4)


def reason_lines(label: str, score: float, evidence: Sequence[Evidence]) -> list[str]:
    """The readable lines stored in an assessment's reasons: verdict first, then each piece."""
    signs = [e.rule for e in evidence if e.weight >= 0.3]
    summary = f"signs of a fake: {', '.join(signs)}" if signs else "no strong sign of a fake"
    if any(e.verifies for e in evidence):
        summary += "; backed by order or customer records"
    lines = [f"legitimacy={label} (score {score:.2f}): {summary}"]
    for item in evidence:
        if item.verifies:
            lines.append(f"legitimacy evidence [{item.rule}, supports]: {item.reason}")
        else:
            lines.append(f"legitimacy evidence [{item.rule}, {item.weight:.2f}]: {item.reason}")
    return lines


def normalised_text(text: str) -> str:
    """Lower case, without links, @handles, #tags, digits or punctuation; single spaces."""
    text = _HANDLE.sub(" ", _URL.sub(" ", text[:20_000].lower()))
    return " ".join(_WORD.findall(text))


def text_hash(text: str) -> str:
    """A hash of the normalised text, or "" when it is too short to call a copy-paste."""
    norm = normalised_text(text)
    if len(norm) < FLOOD_MIN_CHARS or norm.count(" ") + 1 < FLOOD_MIN_WORDS:
        return ""
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:32]


def order_keys(number: str) -> tuple[str, str]:
    """(key, digits) of an order number: "#LH-1001" -> ("LH1001", "1001")."""
    key = re.sub(r"[^0-9A-Z]", "", number.upper())
    return key, re.sub(r"\D", "", key)


def link_spam(text: str) -> Evidence | None:
    """Three or more links, or two links with little else."""
    links = _URL.findall(text[:20_000])
    if not links:
        return None
    words = len(_WORD.findall(_URL.sub(" ", text[:20_000])))
    if len(links) >= 3 or (len(links) >= 2 and words <= 6):
        return Evidence(
            "link_spam",
            WEIGHTS["link_spam"],
            f"{len(links)} links and {words} other word(s): link spam pattern",
        )
    return None


_PROMOTION = (
    r"(?:buy\s+(?:it\s+)?from|get\s+(?:it|yours|one)\s+(?:from|at)|order\s+from|shop\s+at"
    r"|go\s+to|try|use|check\s+out|visit|cheaper\s+(?:at|on)|better\s+(?:at|on))"
)


def competitor_evidence(text: str, competitors: Sequence[str]) -> Evidence | None:
    """A competitor's name; heavier when the text sends people to it."""
    text = text[:20_000]
    for name in competitors:
        name = name.strip()
        if not name:
            continue
        escaped = re.escape(name).replace(r"\ ", r"\s+")
        if not re.search(rf"(?i)(?<!\w){escaped}(?!\w)", text):
            continue
        promoted = re.search(
            rf"(?i)\b{_PROMOTION}\s+(?:the\s+)?{escaped}(?!\w)"
            rf"|(?<!\w){escaped}\s+(?:is|are)\s+(?:(?:so|much|way)\s+)?(?:better|cheaper)\b",
            text,
        )
        if promoted:
            return Evidence(
                "competitor_promotion",
                WEIGHTS["competitor_promotion"],
                f"sends readers to competitor '{name}' ('{' '.join(promoted.group(0).split())}')",
            )
        return Evidence(
            "competitor_mention", WEIGHTS["competitor_mention"], f"names competitor '{name}'"
        )
    return None


def gibberish(text: str, vocabulary: frozenset[str]) -> Evidence | None:
    """At least 3 words in Latin letters, and fewer than a third of them known words."""
    if not vocabulary:
        return None
    cleaned = _HANDLE.sub(" ", _URL.sub(" ", text[:2_000].lower()))
    words = _ASCII_WORD.findall(cleaned)
    if len(words) < 3:
        return None
    known = sum(1 for w in words if w in vocabulary)
    if known * 3 < len(words):
        return Evidence(
            "gibberish",
            WEIGHTS["gibberish"],
            f"only {known} of {len(words)} words are known words: looks like nonsense",
        )
    return None


@dataclass(frozen=True, slots=True)
class TextChecks:
    """What the legitimacy checks read from a message's text alone (with the default
    vocabulary, ``known_words()``): a bulk import's triage worker computes them ahead, with
    the pipeline's output (docs/performance.md, "Import")."""

    text_hash: str
    gibberish: Evidence | None
    link_spam: Evidence | None


def text_checks(text: str) -> TextChecks:
    return TextChecks(text_hash(text), gibberish(text, known_words()), link_spam(text))


@lru_cache(maxsize=4)
def known_words(model_dir: Path | None = None) -> frozenset[str]:
    """Single words of the triage models' vocabulary (seen in >= 3 training tweets)."""
    from careline.triage.base import TriageError
    from careline.triage.linear import MODEL_DIR, shared_feature_space

    try:
        space = shared_feature_space(model_dir or MODEL_DIR)
    except TriageError:
        return frozenset()
    return frozenset(w for w in space.words if " " not in w and w.isalpha())
