"""The topic rules of a supervisor-edited taxonomy, as a triage analyser (no Django here).

``TaxonomyTopicAnalyser(topics)`` takes ``[(slug, [keyword, ...]), ...]`` in priority order and
labels each text with the topic whose keywords match most often (ties: the earlier topic),
else ``fallback``. Its version is a hash of the taxonomy, so every stored result says which
taxonomy produced it. It is what ``TriagePipeline(topic_analyser=...)`` runs in the product;
the built-in ``careline.triage.analysers.lexicon.TopicAnalyser`` stays the default elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

from careline.triage.base import Analyser, Prediction

MAX_TEXT_CHARS = 20_000
MAX_KEYWORD_CHARS = 60
MAX_KEYWORDS_PER_TOPIC = 300


def clean_keywords(raw: str | Sequence[str]) -> list[str]:
    """Keywords from a text (one per line or comma separated) or a list: lower case, single
    spaces, no duplicates, in first-seen order. Over-long ones are dropped."""
    parts = re.split(r"[\n,]", raw) if isinstance(raw, str) else list(raw)
    seen: dict[str, None] = {}
    for part in parts:
        word = " ".join(part.lower().split())
        if word and len(word) <= MAX_KEYWORD_CHARS:
            seen.setdefault(word, None)
    return list(seen)[:MAX_KEYWORDS_PER_TOPIC]


def taxonomy_version(topics: Sequence[tuple[str, Sequence[str]]], fallback: str) -> str:
    blob = json.dumps([fallback, [[slug, list(words)] for slug, words in topics]])
    return "taxonomy-" + hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


class TaxonomyTopicAnalyser(Analyser):
    """Keyword topics from a taxonomy. Score = share of all keyword matches that went to the
    chosen topic; ``extras["topics"]`` counts matches per topic."""

    name = "topic"

    def __init__(
        self, topics: Sequence[tuple[str, Sequence[str]]], *, fallback: str = "other"
    ) -> None:
        super().__init__()
        self.topics = [(slug, clean_keywords(words)) for slug, words in topics if slug != fallback]
        self.fallback = fallback
        self.version = taxonomy_version(self.topics, fallback)
        self._topic_of: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None

    def _load(self) -> None:
        # Earlier topics win a keyword listed twice.
        for slug, words in reversed(self.topics):
            for word in words:
                self._topic_of[word] = slug
        if self._topic_of:
            # Longest phrases first, so each text is scanned once; keywords are literal text.
            alternatives = sorted(self._topic_of, key=lambda w: (-len(w), w))
            body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in alternatives)
            self._pattern = re.compile(r"(?i)(?<!\w)(?:" + body + r")(?!\w)")

    def _predict(self, texts: Sequence[str]) -> list[Prediction]:
        order = {slug: i for i, (slug, _) in enumerate(self.topics)}
        out = []
        for text in texts:
            counts: dict[str, list[str]] = {}
            if self._pattern is not None:
                for match in self._pattern.finditer(text[:MAX_TEXT_CHARS]):
                    word = " ".join(match.group(0).lower().split())
                    # IGNORECASE pairs a few letters lower() keeps apart (the long s).
                    slug = self._topic_of.get(word)
                    if slug is not None:
                        counts.setdefault(slug, []).append(word)
            if not counts:
                out.append(
                    Prediction(
                        self.name,
                        self.version,
                        self.fallback,
                        0.5,
                        "topic taxonomy: no topic keyword",
                    )
                )
                continue
            topic = min(counts, key=lambda t: (-len(counts[t]), order[t]))
            total = sum(len(v) for v in counts.values())
            cues = ", ".join(f"'{w}'" for w in dict.fromkeys(counts[topic]))
            out.append(
                Prediction(
                    self.name,
                    self.version,
                    topic,
                    round(len(counts[topic]) / total, 4),
                    f"topic taxonomy: keywords {cues}",
                    {"topics": {t: len(v) for t, v in counts.items()}},
                )
            )
        return out
