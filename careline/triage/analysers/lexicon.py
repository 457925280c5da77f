"""Rule-based analysers driven by small hand-written word lists (no training data).

- ``ProfanityAnalyser``: common English profanity, with masked spellings (f*ck, sh!t).
- ``SpamAnalyser``: promotional / bot-like messages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from careline.triage.base import Analyser, Prediction

# Stems matched at a word start; masked letters (*, !, @, #, $, 1, 0) are allowed inside.
PROFANITY_STEMS = (
    "fuck",
    "fck",
    "fuk",
    "shit",
    "bullshit",
    "bitch",
    "bastard",
    "asshole",
    "arsehole",
    "dick",
    "dickhead",
    "cunt",
    "piss",
    "wank",
    "twat",
    "bollocks",
    "crap",
    "damn",
    "motherf",
    "wtf",
    "stfu",
    "prick",
    "douche",
    "slut",
    "whore",
    "screw you",
    "sod off",
    "bloody hell",
    "jackass",
    "dumbass",
)


def _stem_pattern(stem: str) -> str:
    parts = []
    for ch in stem:
        if ch == " ":
            parts.append(r"\s+")
        elif ch.isalpha():
            parts.append(f"[{ch}*!@#$10]")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


_PROFANITY = re.compile(
    r"(?i)(?<![a-z])(?:" + "|".join(_stem_pattern(s) for s in PROFANITY_STEMS) + r")[a-z]*"
)
# A masked stem must contain at least one real letter at its start (so "****" is not matched).
_STARTS_WITH_LETTER = re.compile(r"^[A-Za-z]")


class ProfanityAnalyser(Analyser):
    """Label ``profane`` or ``clean``; ``extras["terms"]`` counts matches (terms not echoed)."""

    name = "profanity"
    version = "1.0.0"

    def _predict(self, texts: Sequence[str]) -> list[Prediction]:
        out = []
        for text in texts:
            hits = [m.group(0) for m in _PROFANITY.finditer(text[:20_000])]
            hits = [h for h in hits if _STARTS_WITH_LETTER.match(h)]
            if hits:
                out.append(
                    Prediction(
                        self.name,
                        self.version,
                        "profane",
                        1.0,
                        f"profanity list matched {len(hits)} term(s)",
                        {"count": len(hits)},
                    )
                )
            else:
                out.append(
                    Prediction(
                        self.name,
                        self.version,
                        "clean",
                        1.0,
                        "no profanity-list term",
                        {"count": 0},
                    )
                )
        return out


_SPAM_CUES = re.compile(
    r"(?i)\b(?:follow\s*back|follow\s+me|check\s+out\s+my|click\s+(?:here|the\s+link)|free\s+"
    r"(?:gift|iphone|money|followers|giveaway)|giveaway|win\s+a|you\s+(?:have\s+)?won|earn\s+\$?"
    r"\d+|make\s+money|work\s+from\s+home|crypto|bitcoin|forex|investment\s+opportunity|promo\s+"
    r"code|discount\s+code|dm\s+(?:me\s+)?for|onlyfans|buy\s+followers|cheap\s+followers|"
    r"limited\s+offer|act\s+now|100%\s+free|subscribe\s+to\s+my|visit\s+my)\b"
)
_URL = re.compile(r"(?i)(?:https?://|www\.)\S+")
_HASHTAG = re.compile(r"(?<!\w)#\w+")


class SpamAnalyser(Analyser):
    """Label ``spam`` or ``not_spam`` from promotional phrases, links and hashtag stuffing."""

    name = "spam"
    version = "1.0.0"

    def _predict(self, texts: Sequence[str]) -> list[Prediction]:
        out = []
        for text in texts:
            text = text[:20_000]
            cues = len(_SPAM_CUES.findall(text))
            urls = len(_URL.findall(text))
            tags = len(_HASHTAG.findall(text))
            score = min(1.0, 0.45 * cues + 0.15 * min(urls, 3) + 0.05 * max(0, tags - 3))
            why = f"spam rules: {cues} promo phrase(s), {urls} link(s), {tags} hashtag(s)"
            label = "spam" if score >= 0.6 else "not_spam"
            out.append(
                Prediction(
                    self.name,
                    self.version,
                    label,
                    round(score if label == "spam" else 1 - score, 4),
                    why,
                    {"spam_score": round(score, 4)},
                )
            )
        return out
