"""The triage pipeline: every item classified, scored and explained.

``TriagePipeline(tier="default").run(items)`` takes ``{"id", "text", "author"?}`` dicts and
returns one dict per item, in order, with the shape of ``OUTPUT_FIELDS``. Features are computed
once per batch and shared by the trained heads. One bad item never breaks a batch: it gets
``null`` labels and an ``error: ...`` reason.

Which fields are trained and which are rules is stated in every reason and in
docs/triage.md: sentiment, emotion, irony, offensive, hate and the complaint part of ``kind``
are trained models; the rest of ``kind``, ``severity``, ``topic``, ``legitimacy`` and private
data are rules.

``tier="accurate"`` (the ``careline[accurate]`` extra) replaces the complaint, offensive and
sentiment heads by one fine-tuned MiniLM encoder run as int8 ONNX
(:mod:`careline.triage.accurate`); everything else, and the output shape, stay the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from careline.triage.analysers.lexicon import ProfanityAnalyser, SpamAnalyser
from careline.triage.analysers.private_data import DEFAULT_ORDER_PATTERN, PrivateDataAnalyser
from careline.triage.analysers.taxonomy import SEED_TOPICS, TaxonomyTopicAnalyser
from careline.triage.analysers.text_models import (
    OPTIONAL_TEXT_ANALYSERS,
    TEXT_ANALYSERS,
    TextModelAnalyser,
)
from careline.triage.base import Analyser, Prediction, TriageError
from careline.triage.linear import MODEL_DIR, read_manifest, shared_feature_space

OUTPUT_FIELDS = (
    "id",
    "kind",
    "kind_score",
    "sentiment",
    "sentiment_score",
    "emotion",
    "emotion_score",
    "irony",
    "irony_score",
    "offensive",
    "offensive_score",
    "hate",
    "hate_score",
    "severity",
    "severity_score",
    "topic",
    "topic_score",
    "private_data",
    "redacted",
    "legitimacy",
    "legitimacy_score",
    "reasons",
)
TIERS = ("default", "accurate")
ACCURATE_TASKS = ("complaint", "offensive", "sentiment")
MAX_TEXT_CHARS = 20_000

_QUESTION = re.compile(
    r"(?i)\?|^\W*(?:@\w+\s+)*(?:how|what|when|where|why|who|which|can|could|do|does|did|is|are"
    r"|will|would|should|any|anyone|has|have)\b"
)
_FEEDBACK = re.compile(
    r"(?i)\b(?:suggest(?:ion)?|feedback|would\s+be\s+(?:nice|great|good|better)|it\s+would\s+be"
    r"|please\s+(?:add|bring|make|consider)|wish\s+(?:you|there)|you\s+should|should\s+(?:add|have"
    r"|offer|make)|feature\s+request|idea)\b"
)
_COMPLIMENT = re.compile(
    r"(?i)\b(?:thanks?|thank\s+you|thx|ty|love|loving|great|amazing|awesome|brilliant|fantastic"
    r"|excellent|perfect|well\s+done|kudos|shout\s*out|best|superb|happy)\b"
)
_URGENT = re.compile(
    r"(?i)\b(?:injur(?:y|ies|ed)|hospital|caught\s+fire|on\s+fire|burnt|burned\s+(?:me|my)"
    r"|smoking|poison\w*|allergic\s+reaction|choking|unsafe|dangerous|lawyers?|solicitors?"
    r"|lawsuit|(?:sue|suing)\s+(?:you|them|the)|legal\s+action|police|fraud\w*|scam(?:med)?"
    r"|stolen|hacked|trading\s+standards|ombudsman|chargeback|journalists?|product\s+recall"
    r"|recalled)\b"
)
_ESCALATION = re.compile(
    r"(?i)\b(?:never\s+again|cancel\s+(?:my|the)\s+(?:account|order|subscription)|worst"
    r"|disgusted|disgusting|unacceptable|furious|ridiculous|joke|still\s+waiting|third\s+time"
    r"|(?:\d+|two|three|four|five|six)\s+(?:weeks|times|calls|emails))\b"
)
_SECRET_TYPES = {"card", "cvv", "expiry", "password", "pin"}


class TriagePipeline:
    """Run every analyser over a batch and combine them into the triage output.

    Parameters are stored only; ``load()`` reads the models (once) and raises TriageError if
    the bundle is missing. ``run`` loads on first use. ``topic_analyser`` replaces the seed
    taxonomy (``TaxonomyTopicAnalyser(SEED_TOPICS)``); when it has ``predict_with_model`` and
    the bundle has a topic head, texts without a taxonomy keyword get the model's topic.
    """

    def __init__(
        self,
        tier: str = "default",
        *,
        model_dir: Path | str | None = None,
        order_pattern: str | re.Pattern[str] | None = DEFAULT_ORDER_PATTERN,
        phone_regions: Sequence[str] = ("GB", "US"),
        complaint_threshold: float = 0.5,
        flag_threshold: float = 0.5,
        topic_analyser: Analyser | None = None,
        accurate_model_dir: Path | str | None = None,
        accurate_threads: int = 2,
    ) -> None:
        if tier not in TIERS:
            raise TriageError(f"unknown tier {tier!r}; known: {', '.join(TIERS)}")
        self.tier = tier
        self.model_dir = Path(model_dir) if model_dir is not None else MODEL_DIR
        self.complaint_threshold = complaint_threshold
        self.flag_threshold = flag_threshold
        self.models: dict[str, TextModelAnalyser] = {
            task: cls(model_dir=self.model_dir) for task, cls in TEXT_ANALYSERS.items()
        }
        self.private_data = PrivateDataAnalyser(
            order_pattern=order_pattern, phone_regions=phone_regions
        )
        self.profanity = ProfanityAnalyser()
        # Any analyser with the topic contract (label, score, reason) may replace the seed
        # taxonomy, e.g. one built from a supervisor-edited taxonomy.
        self.topic: Analyser = (
            topic_analyser if topic_analyser is not None else TaxonomyTopicAnalyser(SEED_TOPICS)
        )
        self.topic_model: TextModelAnalyser | None = None
        self.spam = SpamAnalyser()
        # tier="accurate": complaint, offensive and sentiment from the MiniLM encoder.
        self.accurate: Any = None
        if tier == "accurate":
            from careline.triage.accurate.runtime import AccurateModel

            self.accurate = AccurateModel(accurate_model_dir, threads=accurate_threads)
        self._loaded = False

    def load(self) -> None:
        if self._loaded:
            return
        for analyser in [
            *self.models.values(),
            self.private_data,
            self.profanity,
            self.topic,
            self.spam,
        ]:
            analyser.load()
        self.topic_model = self._optional_model("topic")
        if self.accurate is not None:
            self.accurate.load()
            missing = set(ACCURATE_TASKS) - set(self.accurate.labels)
            if missing:
                raise TriageError(f"accurate-tier model lacks heads {sorted(missing)}")
        self._loaded = True

    @property
    def versions(self) -> dict[str, str]:
        self.load()
        analysers = [
            *self.models.values(),
            self.private_data,
            self.profanity,
            self.topic,
            self.spam,
        ]
        versions = {a.name: a.version for a in analysers}
        if self.topic_model is not None:
            versions["topic_model"] = self.topic_model.version
        if self.accurate is not None:
            for task in ACCURATE_TASKS:
                versions[task] = f"accurate-{self.accurate.version}"
        return versions

    def _optional_model(self, task: str) -> TextModelAnalyser | None:
        """The bundle's ``task`` head, loaded, or None when the bundle has none."""
        if task not in read_manifest(self.model_dir).get("tasks", []):
            return None
        model = OPTIONAL_TEXT_ANALYSERS[task](model_dir=self.model_dir)
        model.load()
        return model

    def run(self, items: Sequence[Any]) -> list[dict[str, Any]]:
        """Return one output dict per item, in order (see ``OUTPUT_FIELDS``)."""
        self.load()
        results: list[dict[str, Any] | None] = [None] * len(items)
        good: list[int] = []
        texts: list[str] = []
        for i, item in enumerate(items):
            try:
                texts.append(_item_text(item))
                good.append(i)
            except TriageError as exc:
                results[i] = _error_output(item, str(exc))
        if good:
            try:
                outs = self._run_texts([items[i] for i in good], texts)
            except Exception:
                outs = []
                for i, text in zip(good, texts, strict=True):
                    try:
                        outs.extend(self._run_texts([items[i]], [text]))
                    except Exception as exc:
                        outs.append(_error_output(items[i], f"{type(exc).__name__}: {exc}"))
            for i, out in zip(good, outs, strict=True):
                results[i] = out
        return [r for r in results if r is not None]

    def _run_texts(self, items: Sequence[dict[str, Any]], texts: list[str]) -> list[dict[str, Any]]:
        space = shared_feature_space(self.model_dir)
        X = space.transform(texts)
        preds = {task: model.predict_features(X) for task, model in self.models.items()}
        if self.accurate is not None:
            preds.update(self._accurate_predictions(texts, preds["complaint"]))
        private = self.private_data.predict(texts)
        profanity = self.profanity.predict(texts)
        topic_model = self.topic_model
        if topic_model is not None and isinstance(self.topic, TaxonomyTopicAnalyser):
            topics = self.topic.predict_with_model(
                texts, lambda rows: topic_model.predict_features(X[list(rows)])
            )
        else:
            topics = self.topic.predict(texts)
        spam = self.spam.predict(texts)
        out = []
        for i, item in enumerate(items):
            out.append(
                self._combine(
                    item,
                    texts[i],
                    {task: p[i] for task, p in preds.items()},
                    private[i],
                    profanity[i],
                    topics[i],
                    spam[i],
                )
            )
        return out

    def _accurate_predictions(
        self, texts: list[str], word_complaint: list[Prediction]
    ) -> dict[str, list[Prediction]]:
        """Complaint, offensive and sentiment from the accurate tier's one encoder pass.

        Complaint is blended with the default tier's word model (``word_complaint``) when
        the model's manifest carries a cross-validated weight for it (see
        :mod:`careline.triage.accurate.blend`).
        """
        from careline.triage.accurate.blend import blended_predictions
        from careline.triage.accurate.runtime import predictions

        probs = self.accurate.probabilities(texts)
        version = f"accurate-{self.accurate.version}"
        out = {
            task: predictions(task, self.accurate.labels[task], probs[task], version)
            for task in ACCURATE_TASKS
        }
        weight = float(self.accurate.manifest.get("complaint_blend", {}).get("default_weight", 0))
        if weight > 0:
            labels = self.accurate.labels["complaint"]
            p_words = np.array([p.extras["probabilities"][labels[1]] for p in word_complaint])
            out["complaint"] = blended_predictions(
                labels, probs["complaint"][:, 1], p_words, weight, version
            )
        return out

    def _combine(
        self,
        item: dict[str, Any],
        text: str,
        p: dict[str, Prediction],
        private: Prediction,
        profanity: Prediction,
        topic: Prediction,
        spam: Prediction,
    ) -> dict[str, Any]:
        reasons: list[str] = []
        prob = {task: pred.extras["probabilities"] for task, pred in p.items()}

        offensive, offensive_score = p["offensive"].label, p["offensive"].score
        reasons.append(f"offensive={offensive}: {p['offensive'].reason}")
        if profanity.label == "profane" and offensive != "offensive":
            offensive, offensive_score = "offensive", max(0.6, prob["offensive"]["offensive"])
            reasons.append(f"offensive=offensive (rule): {profanity.reason}")

        kind, kind_score, kind_reason = self._kind(text, p, prob, spam, offensive)
        reasons.insert(0, f"kind={kind}: {kind_reason}")
        for task in ("sentiment", "emotion", "irony", "hate"):
            reasons.append(f"{task}={p[task].label}: {p[task].reason}")

        spans = private.extras["spans"]
        severity, severity_score, severity_reason = self._severity(
            text, kind, prob, spans, offensive
        )
        reasons.append(f"severity={severity} (rules): {severity_reason}")
        reasons.append(f"topic={topic.label}: {topic.reason}")
        reasons.append(f"private_data: {private.reason}")
        legitimacy, legitimacy_score, legitimacy_reason = _legitimacy(text, spam)
        reasons.append(f"legitimacy={legitimacy} (rules): {legitimacy_reason}")

        return {
            "id": item.get("id"),
            "kind": kind,
            "kind_score": round(kind_score, 4),
            "sentiment": p["sentiment"].label,
            "sentiment_score": p["sentiment"].score,
            "emotion": p["emotion"].label,
            "emotion_score": p["emotion"].score,
            "irony": p["irony"].label,
            "irony_score": p["irony"].score,
            "offensive": offensive,
            "offensive_score": round(offensive_score, 4),
            "hate": p["hate"].label,
            "hate_score": p["hate"].score,
            "severity": severity,
            "severity_score": round(severity_score, 4),
            "topic": topic.label,
            "topic_score": topic.score,
            "private_data": spans,
            "redacted": private.extras["redacted"],
            "legitimacy": legitimacy,
            "legitimacy_score": round(legitimacy_score, 4),
            "reasons": reasons,
        }

    def _kind(
        self,
        text: str,
        p: dict[str, Prediction],
        prob: dict[str, dict[str, float]],
        spam: Prediction,
        offensive: str,
    ) -> tuple[str, float, str]:
        """complaint from the trained model; the other kinds from rules over model outputs."""
        pc = prob["complaint"]["complaint"]
        if not text.strip():
            return "other", 1.0, "rules: empty message"
        if spam.label == "spam":
            return "spam", spam.score, f"{spam.reason} (rules)"
        if pc >= self.complaint_threshold:
            return "complaint", pc, p["complaint"].reason
        abusive = max(prob["offensive"]["offensive"], prob["hate"]["hate"])
        if offensive == "offensive" and (abusive >= 0.7 or prob["hate"]["hate"] >= 0.5):
            return (
                "troll",
                abusive,
                (
                    f"rules: abusive (offensive/hate p={abusive:.2f}) and no complaint "
                    f"(complaint p={pc:.2f})"
                ),
            )
        if _QUESTION.search(text):
            return (
                "question",
                1 - pc,
                (f"rules: question mark or question opener; complaint model p={pc:.2f}"),
            )
        if _FEEDBACK.search(text):
            return "feedback", 1 - pc, f"rules: suggestion wording; complaint model p={pc:.2f}"
        positive = prob["sentiment"]["positive"]
        if positive >= 0.5 or (_COMPLIMENT.search(text) and positive >= 0.3):
            return (
                "compliment",
                positive,
                (
                    f"rules: positive sentiment p={positive:.2f}"
                    + (" and praise/thanks wording" if _COMPLIMENT.search(text) else "")
                ),
            )
        return "other", 1 - pc, f"rules: none of the kinds fit; complaint model p={pc:.2f}"

    def _severity(
        self,
        text: str,
        kind: str,
        prob: dict[str, dict[str, float]],
        spans: list[dict[str, Any]],
        offensive: str,
    ) -> tuple[str, float, str]:
        secrets = sorted({s["type"] for s in spans if s["type"] in _SECRET_TYPES})
        if secrets:
            return "critical", 1.0, f"exposed {', '.join(secrets)} in a public message"
        urgent = sorted({m.group(0).lower() for m in _URGENT.finditer(text[:MAX_TEXT_CHARS])})
        if urgent:
            return "critical", 0.9, f"safety/legal/fraud words: {', '.join(urgent[:4])}"
        negative = prob["sentiment"]["negative"]
        anger = prob["emotion"]["anger"]
        escalation = _ESCALATION.search(text[:MAX_TEXT_CHARS])
        if kind == "complaint" and (anger >= 0.5 or negative >= 0.7 or escalation):
            why = f"complaint with anger p={anger:.2f}, negative p={negative:.2f}"
            if escalation:
                why += f", escalation wording '{escalation.group(0).lower()}'"
            return "high", max(anger, negative, 0.7), why
        if kind == "troll" or prob["hate"]["hate"] >= self.flag_threshold:
            return "high", max(prob["hate"]["hate"], 0.7), "abusive or hateful message"
        if kind == "complaint" or negative >= 0.5 or spans:
            why = (
                "complaint"
                if kind == "complaint"
                else (f"negative p={negative:.2f}" if negative >= 0.5 else "contains private data")
            )
            return "medium", max(0.5, negative), why
        return "low", 1 - negative, f"no complaint, negative p={negative:.2f}"


def _legitimacy(text: str, spam: Prediction) -> tuple[str, float, str]:
    """``suspicious`` for spam-like or empty messages, else ``legitimate`` (rules only)."""
    spam_score = float(spam.extras.get("spam_score", 0.0))
    if not text.strip():
        return "suspicious", 0.6, "empty message"
    if spam_score >= 0.6:
        return "suspicious", spam_score, spam.reason
    return "legitimate", 1 - spam_score, spam.reason


def _item_text(item: Any) -> str:
    if not isinstance(item, dict):
        raise TriageError(f"item is a {type(item).__name__}, not an object")
    if "id" not in item:
        raise TriageError("item has no id")
    text = item.get("text")
    if not isinstance(text, str):
        raise TriageError("item text is missing or not a string")
    return text[:MAX_TEXT_CHARS]


def _error_output(item: Any, message: str) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(OUTPUT_FIELDS)
    out["id"] = item.get("id") if isinstance(item, dict) else None
    out["private_data"] = []
    out["reasons"] = [f"error: {message}"]
    return out
