"""The learned phrase model: a second opinion for the phrase categories the rules miss.

The rules (lexicon.py) catch the phrasings their authors thought of; replies by other writers
say the same things in other words. This model is one logistic regression per phrase category
over sublinear TF-IDF word 1-2-grams and character 3-5-grams (inside words), plus a few
context features (the kind of message answered, public or private, a verified cause). It is
trained by ``careline train-tone`` (training.py), which also picks each category's threshold
on leave-one-source-out predictions; see docs/tone-guard.md, "Learned phrase model".

Plain Python + numpy, no pickle: ``models/phrases.npz`` (arrays, ``allow_pickle=False``) and
``models/phrases.json`` (categories, thresholds, configuration, the training card). The same
:func:`extract_terms` serves training and inference, so both compute exactly the same features.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from careline.replies.tone.model import ReplyContext, fact_is_true

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).parent / "models"
ARRAYS_FILE = "phrases.npz"
CARD_FILE = "phrases.json"
FORMAT = 1

# The phrase categories a model may be trained for (the others are facts, lengths, numbers).
PHRASE_CATEGORIES = (
    "defensive",
    "dismissive",
    "blaming",
    "sarcasm",
    "promotion",
    "admits_fault",
    "generic",
    "no_acknowledgment",
)
KIND_FEATURES = ("complaint", "question", "compliment", "feedback", "spam", "troll", "")
CONTEXT_FEATURES = (
    *(f"ctx:kind={kind or 'none'}" for kind in KIND_FEATURES),
    "ctx:public",
    "ctx:cause_verified",
)
# Features are computed on at most this many characters: bounds the cost of a hostile paste.
MAX_CHARS = 3000
CHAR_MIN_N = 3
CHAR_MAX_N = 5
MAX_TOKEN_CHARS = 30

_TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*|[^\w\s]")
_DIGIT = re.compile(r"\d")
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")

# Words that are never shown alone as a cue (they carry weight only in n-grams).
_NOT_A_CUE_TEXT = """
    a an and are as at be been but by for from had has have i in is it it's its me my of on or
    our so that the their them then there these they this those to us was we were what when
    which who will with would you your
"""
_NOT_A_CUE = frozenset(_NOT_A_CUE_TEXT.split())

# How each category's finding reads ("reads as …").
_READS_AS = {
    "defensive": "defensive (arguing or defending the brand)",
    "dismissive": "dismissive",
    "blaming": "blaming the customer",
    "sarcasm": "sarcasm",
    "promotion": "marketing in a complaint thread",
    "admits_fault": "admitting fault without a verified cause",
    "generic": "boilerplate",
    "no_acknowledgment": "not acknowledging the complaint",
}


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    norm: str


def tokenize(text: str) -> list[Token]:
    """Word and punctuation tokens of ``text[:MAX_CHARS]``, lower-cased, digits as 0, with
    their offsets into ``text``."""
    return [
        Token(m.start(), m.end(), _DIGIT.sub("0", m.group().lower().translate(_FOLD)))
        for m in _TOKEN.finditer(text[:MAX_CHARS])
    ]


def extract_terms(tokens: Sequence[Token]) -> list[tuple[str, int, int]]:
    """Every feature occurrence as (term, first token, last token).

    ``w:`` word unigrams, ``b:`` word bigrams, ``c:`` character 3-5-grams inside the
    space-padded word (so they never cross words and can be credited to one token).
    """
    terms: list[tuple[str, int, int]] = []
    norms = [t.norm for t in tokens]
    for i, norm in enumerate(norms):
        terms.append(("w:" + norm, i, i))
        if i + 1 < len(norms):
            terms.append((f"b:{norm} {norms[i + 1]}", i, i + 1))
        padded = f" {norm[:MAX_TOKEN_CHARS]} "
        for n in range(CHAR_MIN_N, CHAR_MAX_N + 1):
            for s in range(len(padded) - n + 1):
                terms.append(("c:" + padded[s : s + n], i, i))
    return terms


def context_features(context: ReplyContext) -> list[str]:
    """The context features that are on for this reply (each has the value 1)."""
    kind = context.kind if context.kind in KIND_FEATURES else ""
    on = [f"ctx:kind={kind or 'none'}"]
    if context.public:
        on.append("ctx:public")
    if fact_is_true(context.facts.get("cause_verified")):
        on.append("ctx:cause_verified")
    return on


def applies(category: str, context: ReplyContext) -> bool:
    """The same gates as the rules: an admission is fine once the cause is verified, turning
    spam away is not dismissive, acknowledgment and promotion concern complaints only, and a
    spam or troll message needs no personal answer."""
    if category == "admits_fault":
        return not fact_is_true(context.facts.get("cause_verified"))
    if category == "dismissive":
        return context.kind != "spam"
    if category in ("no_acknowledgment", "promotion"):
        return context.kind == "complaint"
    if category == "generic":
        return context.kind not in ("spam", "troll")
    return True


@dataclass(frozen=True)
class LearnedHit:
    """One category the model is confident about: its probability, the span (the sentence
    that scored highest; the whole reply for ``generic``) and the cue phrases that pushed
    hardest, as written in the reply."""

    category: str
    probability: float
    threshold: float
    start: int
    end: int
    cues: tuple[str, ...]

    def message(self) -> str:
        cues = ", ".join(f"'{c}'" for c in self.cues)
        cue_text = f"; cues: {cues}" if cues else ""
        return (
            f"Reads as {_READS_AS.get(self.category, self.category)} "
            f"(learned model, p={self.probability:.2f}{cue_text})."
        )


class PhraseModel:
    """The trained weights; :meth:`predict` scores one reply."""

    def __init__(
        self,
        vocabulary: Sequence[str],
        idf: np.ndarray,
        weights: np.ndarray,
        bias: np.ndarray,
        categories: Sequence[str],
        thresholds: Sequence[float],
        card: dict[str, Any] | None = None,
    ) -> None:
        self.vocabulary = list(vocabulary)
        self.n_text = len(idf)
        if len(self.vocabulary) != self.n_text + len(CONTEXT_FEATURES):
            raise ValueError("vocabulary, idf and context features differ in length")
        if tuple(self.vocabulary[self.n_text :]) != CONTEXT_FEATURES:
            raise ValueError("the model's context features are not this version's")
        self.index = {term: i for i, term in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float64)
        # (features, categories): gathering the rows of a reply's terms reads contiguous memory.
        self.weights = np.asarray(weights, dtype=np.float64)
        self.bias = np.asarray(bias, dtype=np.float64)
        self.categories = tuple(categories)
        self.thresholds = np.asarray(thresholds, dtype=np.float64)
        shape = (len(self.vocabulary), len(self.categories))
        if self.weights.shape != shape or self.bias.shape != (len(self.categories),):
            raise ValueError(f"weights must be {shape}, bias one per category")
        if self.thresholds.shape != (len(self.categories),):
            raise ValueError("one threshold per category")
        unknown = set(self.categories) - set(PHRASE_CATEGORIES)
        if unknown:
            raise ValueError(f"not phrase categories: {sorted(unknown)}")
        self.card = card or {}

    # --- scoring ------------------------------------------------------------------------

    def features(
        self, tokens: Sequence[Token], context: ReplyContext
    ) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, int]]]:
        """(columns, values, occurrences): the reply's sparse feature vector and, for
        attributing scores to tokens, each occurrence as (position in columns, first token,
        last token)."""
        get = self.index.get
        position: dict[int, int] = {}
        counts: list[int] = []
        occurrences: list[tuple[int, int, int]] = []
        for term, first, last in extract_terms(tokens):
            column = get(term)
            if column is None:
                continue
            slot = position.get(column)
            if slot is None:
                slot = position[column] = len(counts)
                counts.append(0)
            counts[slot] += 1
            occurrences.append((slot, first, last))
        columns = np.fromiter(position, dtype=np.int64, count=len(position))
        values = (1.0 + np.log(np.asarray(counts, dtype=np.float64))) * self.idf[columns]
        norm = float(np.sqrt(values @ values))
        if norm > 0:
            values /= norm
        on = [self.index[name] for name in context_features(context)]
        columns = np.concatenate([columns, np.asarray(on, dtype=np.int64)])
        values = np.concatenate([values, np.ones(len(on))])
        return columns, values, occurrences

    def probabilities(self, text: str, context: ReplyContext) -> dict[str, float]:
        """Each category's probability for the reply (before gates and thresholds)."""
        columns, values, _ = self.features(tokenize(text), context)
        logits = values @ self.weights[columns] + self.bias
        return dict(zip(self.categories, sigmoid(logits).tolist(), strict=True))

    def predict(self, text: str, context: ReplyContext) -> list[LearnedHit]:
        """The categories at or above their threshold (and allowed in this context)."""
        if not text.strip():
            return []
        tokens = tokenize(text)
        columns, values, occurrences = self.features(tokens, context)
        rows = self.weights[columns]
        probabilities = sigmoid(values @ rows + self.bias)
        hits = []
        for c, category in enumerate(self.categories):
            p = float(probabilities[c])
            if p < self.thresholds[c] or not applies(category, context):
                continue
            n_terms = len(values) - len(context_features(context))
            contribution = rows[:n_terms, c] * values[:n_terms]
            start, end, cues = _locate(text, tokens, contribution, occurrences, category)
            hits.append(LearnedHit(category, p, float(self.thresholds[c]), start, end, cues))
        return hits

    # --- files --------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        blob = "\n".join(self.vocabulary).encode("utf-8")
        # Written through a file handle so the name is exactly ARRAYS_FILE.
        with (directory / ARRAYS_FILE).open("wb") as handle:
            np.savez_compressed(
                handle,
                vocabulary_utf8=np.frombuffer(blob, dtype=np.uint8),
                idf=self.idf.astype(np.float32),
                weights=self.weights.astype(np.float32),
                bias=self.bias.astype(np.float32),
            )
        card = {
            "format": FORMAT,
            "categories": list(self.categories),
            "thresholds": [round(float(t), 4) for t in self.thresholds],
            "features": {
                "words": "unigrams and bigrams",
                "chars": f"{CHAR_MIN_N}-{CHAR_MAX_N}-grams inside words",
                "weighting": "sublinear tf x smooth idf, L2-normalised",
                "context": list(CONTEXT_FEATURES),
                "max_chars": MAX_CHARS,
            },
            **{k: v for k, v in self.card.items() if k not in ("format", "categories")},
        }
        (directory / CARD_FILE).write_text(
            json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path) -> PhraseModel:
        """Read a saved model; raises OSError if a file is missing, ValueError if malformed."""
        card = json.loads((directory / CARD_FILE).read_text(encoding="utf-8"))
        if card.get("format") != FORMAT:
            raise ValueError(f"{CARD_FILE}: format {card.get('format')!r}, expected {FORMAT}")
        with np.load(directory / ARRAYS_FILE, allow_pickle=False) as arrays:
            blob = bytes(np.asarray(arrays["vocabulary_utf8"], dtype=np.uint8))
            vocabulary = blob.decode("utf-8").split("\n") if blob else []
            return cls(
                vocabulary,
                arrays["idf"],
                arrays["weights"],
                arrays["bias"],
                card["categories"],
                card["thresholds"],
                card,
            )


def sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -30.0, 30.0))))


def _locate(
    text: str,
    tokens: Sequence[Token],
    contribution: np.ndarray,
    occurrences: Sequence[tuple[int, int, int]],
    category: str,
) -> tuple[int, int, tuple[str, ...]]:
    """The span and up to three cue phrases for one category.

    Each feature's contribution (weight x value) is shared out over its occurrences and their
    tokens; a sentence scores the sum of its tokens, a cue is a run of adjacent tokens that
    each pushed towards the category.
    """
    per_token = np.zeros(len(tokens))
    if occurrences:
        slots = np.fromiter((o[0] for o in occurrences), dtype=np.int64, count=len(occurrences))
        firsts = np.fromiter((o[1] for o in occurrences), dtype=np.int64, count=len(occurrences))
        lasts = np.fromiter((o[2] for o in occurrences), dtype=np.int64, count=len(occurrences))
        share = contribution[slots] / np.bincount(slots, minlength=len(contribution))[slots]
        single = firsts == lasts
        np.add.at(per_token, firsts[single], share[single])
        np.add.at(per_token, firsts[~single], share[~single] / 2)
        np.add.at(per_token, lasts[~single], share[~single] / 2)
    sentences = [
        (m.start(), m.end()) for m in _SENTENCE.finditer(text[:MAX_CHARS]) if m.group().strip()
    ] or [(0, len(text))]
    starts = np.array([t.start for t in tokens], dtype=np.int64)
    owner = np.searchsorted(np.array([s for s, _ in sentences]), starts, side="right") - 1
    owner = np.clip(owner, 0, len(sentences) - 1)
    if category == "generic":
        start, end = 0, len(text)
    elif category == "no_acknowledgment":
        start, end = sentences[0]
    else:
        totals = np.bincount(owner, weights=per_token, minlength=len(sentences))
        start, end = sentences[int(np.argmax(totals))] if len(tokens) else (0, len(text))
    start, end = _strip(text, start, end)
    inside = np.array([start <= t.start and t.end <= end for t in tokens], dtype=bool)
    return start, end, _cues(text, tokens, np.where(inside, per_token, 0.0), owner)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cues(
    text: str, tokens: Sequence[Token], per_token: np.ndarray, owner: np.ndarray
) -> tuple[str, ...]:
    if not len(tokens) or per_token.max() <= 0:
        return ()
    floor = 0.3 * float(per_token.max())
    runs: list[tuple[float, int, int]] = []
    i = 0
    while i < len(tokens):
        if per_token[i] < floor:
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and per_token[j + 1] >= floor and owner[j + 1] == owner[i]:
            j += 1
        runs.append((float(per_token[i : j + 1].sum()), i, j))
        i = j + 1
    runs.sort(key=lambda run: (-run[0], run[1]))
    cues: list[str] = []
    for _, i, j in runs:
        if i == j and (tokens[i].norm in _NOT_A_CUE or not tokens[i].norm.isalnum()):
            continue  # "the", "are", "," alone explain nothing to the agent
        cues.append(" ".join(text[tokens[i].start : tokens[j].end].split())[:40])
        if len(cues) == 3:
            break
    return tuple(cues)


_lock = threading.Lock()
_loaded: dict[Path, PhraseModel | None] = {}


def shipped_model(directory: Path = MODEL_DIR) -> PhraseModel | None:
    """The model in ``directory``, loaded once; None (rules only) when there is none or it
    cannot be read (logged once)."""
    if directory in _loaded:
        return _loaded[directory]
    with _lock:
        if directory not in _loaded:
            model: PhraseModel | None = None
            if (directory / CARD_FILE).exists() or (directory / ARRAYS_FILE).exists():
                try:
                    model = PhraseModel.load(directory)
                except (OSError, ValueError, KeyError) as error:
                    log.warning("tone guard: learned model not used (%s)", error)
            _loaded[directory] = model
    return _loaded[directory]


def forget_loaded() -> None:
    """Drop the cached models (after retraining, or in tests)."""
    with _lock:
        _loaded.clear()
