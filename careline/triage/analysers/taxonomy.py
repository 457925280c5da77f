"""Topics: a supervisor-edited keyword taxonomy, backed by a trained model (no Django here).

``TaxonomyTopicAnalyser(topics)`` takes ``[(slug, [keyword, ...]), ...]`` in priority order and
labels each text with the topic whose keywords match most often (ties: the earlier topic).
A text no keyword matches gets the trained topic model's best active topic when the model is
at least ``model_threshold`` sure of it (``predict_with_model``; the pipeline passes the
model's predictions), else ``fallback``. Keywords come first because they are the
supervisor's explicit word; the model covers the many texts that name no keyword ("my
parcel" is a keyword, "still haven't received it" is not). Its version is a hash of the
taxonomy, so every stored result says which taxonomy produced it (the model's version is the
bundle's, stored beside it).

``SEED_TOPICS`` is the issue's taxonomy: the product seeds its topic table with it (migration
``assessments/0002``, a frozen copy) and the pipeline uses it when no taxonomy is given.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence

from careline.triage.base import Analyser, Prediction

# The topic model as the analyser calls it: row indices in, one prediction per row out.
TopicModel = Callable[[Sequence[int]], Sequence[Prediction]]

# fmt: off
SEED_TOPICS: list[tuple[str, list[str]]] = [
    ("delivery", [
        "deliver", "delivery", "delivered", "not delivered", "shipping", "shipped", "dispatch",
        "dispatched", "courier", "parcel", "package", "tracking", "tracking number", "arrive",
        "arrived", "never arrived", "driver", "postman", "shipment", "click and collect",
        "late", "lost in the post", "where is my order", "still waiting for my order",
    ]),
    ("refund_return", [
        "refund", "refunded", "return", "returned", "returns", "exchange", "money back",
        "reimburse", "credit note", "store credit", "return label", "send it back",
    ]),
    ("payment_billing", [
        "charged", "charge", "charged twice", "double charged", "overcharged", "payment",
        "paid", "billing", "bill", "invoice", "card declined", "declined", "direct debit",
        "subscription", "klarna", "paypal", "bank statement",
    ]),
    ("product_quality", [
        "broken", "faulty", "damaged", "defective", "defect", "quality", "ripped", "torn",
        "stopped working", "doesn't work", "doesnt work", "not working", "wrong size",
        "wrong item", "missing item", "smell", "stain", "fell apart", "poor quality",
    ]),
    ("account_login", [
        "login", "log in", "logged out", "sign in", "password", "reset password", "account",
        "locked out", "verification", "verification code", "two factor", "2fa",
        "my account", "delete my account",
    ]),
    ("customer_service", [
        "customer service", "customer support", "support", "no reply", "no response",
        "on hold", "rude", "agent", "staff", "manager", "ignored", "email back",
        "call back", "live chat", "nobody answers", "complaint",
    ]),
    ("website_app", [
        "app", "website", "site", "web site", "crash", "crashes", "error", "bug", "checkout",
        "page", "loading", "won't load", "link", "basket", "cart", "update",
    ]),
    ("pricing", [
        "price", "prices", "pricing", "expensive", "overpriced", "cheaper", "discount",
        "voucher", "promo code", "coupon", "sale", "price match", "price drop",
        "delivery charge", "shipping cost",
    ]),
]
# fmt: on
SEED_FALLBACK = "other"
# Measured on the hand-labelled sample (docs/triage.md, "Topic"); below it the model's guess
# is worse than saying "other".
DEFAULT_MODEL_THRESHOLD = 0.3
# Below this many words (handles and links not counted) the model has too little to go on
# ("hello" would otherwise get a topic from its class weights); 31 of the 34 texts that short
# in the hand-labelled sample are "other".
MIN_MODEL_WORDS = 4
_COUNTED_WORD = re.compile(r"(?<![@\w/.])[^\W\d_][\w'\u2019-]*")
_LINK = re.compile(r"(?i)(?:https?://|www\.)\S+")

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
    """Keyword topics from a taxonomy, the trained model for texts without a keyword.

    Score = share of all keyword matches that went to the chosen topic (keyword verdicts), or
    the model's probability (model verdicts); ``extras["topics"]`` counts matches per topic,
    ``extras["source"]`` says which decided: ``keywords``, ``model`` or ``fallback``.
    """

    name = "topic"

    def __init__(
        self,
        topics: Sequence[tuple[str, Sequence[str]]],
        *,
        fallback: str = SEED_FALLBACK,
        model_threshold: float = DEFAULT_MODEL_THRESHOLD,
    ) -> None:
        super().__init__()
        self.topics = [(slug, clean_keywords(words)) for slug, words in topics if slug != fallback]
        self.fallback = fallback
        self._slugs = {slug for slug, _ in self.topics}  # the model may only name these
        self.model_threshold = model_threshold
        self.version = taxonomy_version(self.topics, fallback)
        if model_threshold != DEFAULT_MODEL_THRESHOLD:
            self.version += f"-m{model_threshold:g}"
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
        return self._combine(texts, None)

    def predict_with_model(self, texts: Sequence[str], model: TopicModel) -> list[Prediction]:
        """Like ``predict``, backed by the topic model: ``model(rows)`` answers one prediction
        (with ``extras["probabilities"]``) per index in ``rows``, the texts no keyword
        matches; it is called once, and only when there are such texts."""
        self.load()
        return self._combine(texts, model) if texts else []

    def _combine(self, texts: Sequence[str], model: TopicModel | None) -> list[Prediction]:
        order = {slug: i for i, (slug, _) in enumerate(self.topics)}
        out: list[Prediction | None] = []
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
                out.append(None)
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
                    {"topics": {t: len(v) for t, v in counts.items()}, "source": "keywords"},
                )
            )
        rows = [i for i, result in enumerate(out) if result is None]
        if model is None:
            for i in rows:
                out[i] = self._fallback("")
            return [result for result in out if result is not None]
        # The model runs only on the texts it may decide (most of its cost is per text).
        long_enough = [i for i in rows if _word_count(texts[i]) >= MIN_MODEL_WORDS]
        answers = list(model(long_enough)) if long_enough else []
        if len(answers) != len(long_enough):
            raise ValueError(f"{len(answers)} model predictions for {len(long_enough)} texts")
        answered = dict(zip(long_enough, answers, strict=True))
        for i in rows:
            out[i] = (
                self._from_model(answered[i])
                if i in answered
                else self._fallback(f"; too few words for the topic model (< {MIN_MODEL_WORDS})")
            )
        return [result for result in out if result is not None]

    def _from_model(self, model: Prediction) -> Prediction:
        """The model's best topic among the active ones when sure enough, else the fallback
        (also when the model's own best guess is the fallback)."""
        probabilities = model.extras.get("probabilities", {})
        candidates = [
            (p, slug)
            for slug, p in probabilities.items()
            if slug in self._slugs or slug == self.fallback
        ]
        if candidates:
            p, slug = max(candidates)
            if slug == self.fallback:
                return self._fallback(f"; the topic model's best guess is {slug} (p={p:.2f})")
            if p >= self.model_threshold:
                cues = model.reason.split("cues: ", 1)[-1]
                return Prediction(
                    self.name,
                    self.version,
                    slug,
                    round(float(p), 4),
                    f"topic model p={p:.2f} (no taxonomy keyword); cues: {cues}",
                    {"source": "model"},
                )
        return self._fallback(f"; topic model below {self.model_threshold:.2f}")

    def _fallback(self, why: str) -> Prediction:
        return Prediction(
            self.name,
            self.version,
            self.fallback,
            0.5,
            f"topic taxonomy: no topic keyword{why}",
            {"source": "fallback"},
        )


def _word_count(text: str) -> int:
    return len(_COUNTED_WORD.findall(_LINK.sub(" ", text[:MAX_TEXT_CHARS])))
