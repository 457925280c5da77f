"""The topic model: trained on a hand-labelled sample, measured by cross-validation.

The research data has no topic labels, so the project labelled its own: 800 brand-addressed
tweets of the complaints data (``labels/topic_kind_sample.csv``: ids and labels only, the
texts stay in ``../shared/data``), by the issue's nine topics and by kind. The model is a
multinomial logistic regression over the shared TF-IDF features. It is meant for the texts
no taxonomy keyword matches (see :mod:`careline.triage.analysers.taxonomy`), and is measured
that way: 10-fold cross-validation over the sample, keywords first, the model's topic when
it is at least the threshold sure, else ``other``.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from careline.triage.analysers.taxonomy import (
    DEFAULT_MODEL_THRESHOLD,
    SEED_FALLBACK,
    SEED_TOPICS,
    TaxonomyTopicAnalyser,
)
from careline.triage.base import Prediction, TriageError
from careline.triage.features import FeatureSpace
from careline.triage.linear import LinearHead

SAMPLE_FILE = Path(__file__).resolve().parent / "labels" / "topic_kind_sample.csv"
TOPIC_LABELS = [slug for slug, _ in SEED_TOPICS] + [SEED_FALLBACK]
KIND_LABELS = ["complaint", "question", "compliment", "feedback", "spam", "troll", "other"]
TOPIC_C = 10.0
SEED = 0


@dataclass
class LabelledSample:
    """The hand-labelled sample joined with its texts; ``topics`` index ``TOPIC_LABELS``."""

    ids: list[str]
    texts: list[str]
    topics: np.ndarray
    kinds: list[str]
    files: list[Path]


def load_labelled_sample(data_dir: Path, path: Path = SAMPLE_FILE) -> LabelledSample:
    """Read the sample's ids and labels and their texts from the complaints data."""
    complaints = data_dir / "complaints" / "complaints-train.csv"
    try:
        with complaints.open(encoding="utf-8", newline="") as fh:
            text_of = {row["id"]: row["text"] for row in csv.DictReader(fh)}
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, KeyError) as exc:
        raise TriageError(f"cannot read the topic sample: {exc}") from exc
    problems = [
        f"line {n}: {problem}"
        for n, row in enumerate(rows, start=2)
        for problem in _row_problems(row, text_of)
    ]
    if problems:
        raise TriageError(f"{path}: " + "; ".join(problems[:5]))
    return LabelledSample(
        ids=[r["id"] for r in rows],
        texts=[text_of[r["id"]] for r in rows],
        topics=np.array([TOPIC_LABELS.index(r["topic"]) for r in rows], dtype=np.int64),
        kinds=[r["kind"] for r in rows],
        files=[path],
    )


def _row_problems(row: dict[str, str], text_of: dict[str, str]) -> list[str]:
    problems = []
    if row.get("id") not in text_of:
        problems.append(f"id {row.get('id')!r} is not in the complaints data")
    if row.get("topic") not in TOPIC_LABELS:
        problems.append(f"unknown topic {row.get('topic')!r}")
    if row.get("kind") not in KIND_LABELS:
        problems.append(f"unknown kind {row.get('kind')!r}")
    return problems


def keyword_topics(texts: Sequence[str]) -> list[Prediction]:
    """The seed taxonomy's keyword verdicts (no model): the rules the model is measured
    against and backs up."""
    return TaxonomyTopicAnalyser(SEED_TOPICS).predict(list(texts))


def fit_topic_head(
    space: FeatureSpace,
    texts: Sequence[str],
    labels: np.ndarray,
    *,
    C: float = TOPIC_C,
    max_iter: int = 2000,
) -> LinearHead:
    """Fit the multinomial head on ``texts`` (labels index ``TOPIC_LABELS``)."""
    from careline.triage.training import fit_weights

    X = space.transform(list(texts))
    # Fit on the columns the texts use: the others' weights are 0 at the L2 optimum anyway, and
    # 800 texts use ~5 % of the 240k columns, so this is the same model ~10x faster.
    used = np.unique(X.indices)
    coef_used, intercept = fit_weights(X[:, used], labels, len(TOPIC_LABELS), C, max_iter)
    coef = np.zeros((X.shape[1], coef_used.shape[1]))
    coef[used] = coef_used
    coef, intercept = _full_width(coef, intercept, labels)
    return LinearHead("topic", list(TOPIC_LABELS), coef, intercept, {"C": C})


def _full_width(
    coef: np.ndarray, intercept: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    # A fold may lack a rare topic: give it a column that never wins (it is never predicted).
    present = np.unique(labels)
    if len(present) == len(TOPIC_LABELS):
        return coef, intercept
    full_coef = np.zeros((coef.shape[0], len(TOPIC_LABELS)))
    full_intercept = np.full(len(TOPIC_LABELS), -1e3)
    full_coef[:, present] = coef
    full_intercept[present] = intercept
    return full_coef, full_intercept


def topic_folds(sample: LabelledSample, folds: int = 10) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds over the sample (topics with fewer than ``folds`` texts pooled)."""
    counts = np.bincount(sample.topics, minlength=len(TOPIC_LABELS))
    strata = np.where(counts[sample.topics] >= folds, sample.topics, -1)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    return list(splitter.split(np.zeros(len(strata)), strata))


def topic_oof_probabilities(
    space: FeatureSpace, sample: LabelledSample, *, C: float = TOPIC_C, folds: int = 10
) -> np.ndarray:
    """Out-of-fold topic probabilities for every sample text, shape (n, topics)."""
    X = space.transform(sample.texts)
    probabilities = np.zeros((len(sample.texts), len(TOPIC_LABELS)))
    for train, test in topic_folds(sample, folds):
        head = fit_topic_head(space, [sample.texts[i] for i in train], sample.topics[train], C=C)
        probabilities[test] = head.proba(head.decision(X[test]))
    return probabilities


def combined_topics(
    texts: Sequence[str], probabilities: np.ndarray, threshold: float = DEFAULT_MODEL_THRESHOLD
) -> list[str]:
    """What the product labels: keywords first, then the model above ``threshold``."""
    model = [
        Prediction(
            "topic",
            "cv",
            TOPIC_LABELS[int(row.argmax())],
            float(row.max()),
            "cues: -",
            {"probabilities": dict(zip(TOPIC_LABELS, row.tolist(), strict=True))},
        )
        for row in probabilities
    ]
    analyser = TaxonomyTopicAnalyser(SEED_TOPICS, model_threshold=threshold)
    verdicts = analyser.predict_with_model(list(texts), lambda rows: [model[i] for i in rows])
    return [p.label for p in verdicts]


def topic_figures(sample: LabelledSample, probabilities: np.ndarray) -> dict[str, Any]:
    """Accuracy and macro-F1 (nine topics) of the keywords alone, the model alone and the
    two combined as in the product, on the sample."""
    truth = [TOPIC_LABELS[i] for i in sample.topics]
    keywords = [p.label for p in keyword_topics(sample.texts)]
    model = [TOPIC_LABELS[i] for i in probabilities.argmax(axis=1)]
    combined = combined_topics(sample.texts, probabilities)

    def scores(predicted: Sequence[str]) -> dict[str, float]:
        return {
            "accuracy": round(float(accuracy_score(truth, predicted)), 4),
            "macro_f1": round(
                float(
                    f1_score(
                        truth, predicted, labels=TOPIC_LABELS, average="macro", zero_division=0
                    )
                ),
                4,
            ),
        }

    keyword_share = sum(label != SEED_FALLBACK for label in keywords) / len(keywords)
    return {
        "n": len(truth),
        "keywords_only": scores(keywords),
        "model_only": scores(model),
        "keywords_then_model": scores(combined),
        "threshold": DEFAULT_MODEL_THRESHOLD,
        "share_with_a_keyword": round(keyword_share, 4),
    }
