"""Trained text classifiers: one linear head per task over the shared TF-IDF features.

Every analyser here reads the model bundle in ``careline/triage/models`` (or ``model_dir``)
built by ``careline train``. Reasons quote the model's probability and the word n-grams of
the text that pushed hardest towards the predicted label.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from careline.triage.base import Analyser, Prediction, TriageError
from careline.triage.features import FeatureSpace
from careline.triage.linear import MODEL_DIR, LinearHead, read_manifest, shared_feature_space

DESCRIPTIONS = {
    "complaint": "complaint model",
    "sentiment": "sentiment model",
    "emotion": "emotion model",
    "irony": "irony model",
    "offensive": "offensive-language model",
    "hate": "hate-speech model",
    "topic": "topic model",
}


class TextModelAnalyser(Analyser):
    """A trained head for ``task``; label is one of the head's labels, score its probability.

    ``extras["probabilities"]`` maps every label to its probability.
    """

    task = ""

    def __init__(self, *, model_dir: Path | str | None = None, max_cues: int = 3) -> None:
        super().__init__()
        self.model_dir = Path(model_dir) if model_dir is not None else MODEL_DIR
        self.max_cues = max_cues
        self.name = self.task
        self._space: FeatureSpace | None = None
        self._head: LinearHead | None = None
        self._stack: dict[str, LinearHead] = {}

    def _load(self) -> None:
        manifest = read_manifest(self.model_dir)
        if self.task not in manifest.get("tasks", []):
            raise TriageError(f"model bundle {self.model_dir} has no {self.task!r} head")
        self.version = str(manifest["version"])
        self._space = shared_feature_space(self.model_dir)
        self._head = LinearHead.load(self.model_dir, self.task)
        self._stack = {name: LinearHead.load(self.model_dir, name) for name in self._head.stack}
        _readable(self._space)

    @property
    def labels(self) -> list[str]:
        self.load()
        assert self._head is not None
        return list(self._head.labels)

    @property
    def space(self) -> FeatureSpace:
        self.load()
        assert self._space is not None
        return self._space

    def _predict(self, texts: Sequence[str]) -> list[Prediction]:
        return self.predict_features(self.space.transform(texts))

    def probabilities(self, X: sp.csr_matrix) -> np.ndarray:
        """Class probabilities for feature rows ``X`` (from this bundle's feature space)."""
        self.load()
        head = self._head
        assert head is not None
        stacked = None
        if head.stack:
            stacked = np.hstack([self._stack[name].decision(X) for name in head.stack])
        return head.proba(head.decision(X, stacked))

    def predict_features(self, X: sp.csr_matrix) -> list[Prediction]:
        """Predict from precomputed features (the pipeline computes them once per batch)."""
        self.load()
        head = self._head
        assert head is not None
        probs = self.probabilities(X)
        best = probs.argmax(axis=1)
        cues = self._cues(X, best)
        description = DESCRIPTIONS.get(self.task, f"{self.task} model")
        results = []
        for i, k in enumerate(best):
            label = head.labels[int(k)]
            p = float(probs[i, k])
            cue_text = ", ".join(f"'{c}'" for c in cues[i]) if cues[i] else "no strong word cues"
            reason = f"{description} p={p:.2f} for {label}; cues: {cue_text}"
            results.append(
                Prediction(
                    self.name,
                    self.version,
                    label,
                    round(p, 4),
                    reason,
                    {
                        "probabilities": {
                            name: round(float(probs[i, j]), 4) for j, name in enumerate(head.labels)
                        }
                    },
                )
            )
        return results

    def _cues(self, X: sp.csr_matrix, best: np.ndarray) -> list[list[str]]:
        """Top word n-grams by contribution towards each row's predicted label."""
        head = self._head
        space = self._space
        assert head is not None
        assert space is not None
        n = X.shape[0]
        out: list[list[str]] = [[] for _ in range(n)]
        if self.max_cues <= 0 or X.nnz == 0:
            return out
        rows = np.repeat(np.arange(n), np.diff(X.indptr))
        words = X.indices < space.n_words
        words[words] = _readable(space)[X.indices[words]]
        rows, cols, vals = rows[words], X.indices[words], X.data[words]
        contrib = np.zeros(len(cols))
        for k in np.unique(best):
            sel = best[rows] == k
            contrib[sel] = vals[sel] * head.label_weights(int(k))[cols[sel]]
        order = np.lexsort((-contrib, rows))
        rows, cols, contrib = rows[order], cols[order], contrib[order]
        starts = np.searchsorted(rows, np.arange(n))
        rank = np.arange(len(rows)) - starts[rows]
        keep = (rank < self.max_cues) & (contrib > 0)
        for r, c in zip(rows[keep].tolist(), cols[keep].tolist(), strict=True):
            out[r].append(space.words[c])
        return out


_STOPWORD_TEXT = (
    "a an the and or but of to in on at for with by from is are was were be been am i me my "
    "you your we our it its this that these those he she they them his her their user http "
    "so as if then than too very just do does did have has had will would can could"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_READABLE: dict[int, np.ndarray] = {}


def _readable(space: FeatureSpace) -> np.ndarray:
    """Which word features make a readable cue: has a letter, not only stopwords."""
    key = id(space)
    if key not in _READABLE:
        _READABLE.clear()
        _READABLE[key] = np.array(
            [
                len(w) >= 2
                and any(ch.isalpha() for ch in w)
                and not all(t in _STOPWORDS or not t.isalnum() for t in w.split(" "))
                for w in space.words
            ],
            dtype=bool,
        )
    return _READABLE[key]


class ComplaintAnalyser(TextModelAnalyser):
    """Complaint vs not (Preotiuc-Pietro et al. 2019 data); stacks sentiment/emotion/offence."""

    task = "complaint"


class SentimentAnalyser(TextModelAnalyser):
    """negative / neutral / positive (SemEval 2017 / TweetEval)."""

    task = "sentiment"


class EmotionAnalyser(TextModelAnalyser):
    """anger / joy / optimism / sadness (SemEval 2018 / TweetEval)."""

    task = "emotion"


class IronyAnalyser(TextModelAnalyser):
    """non_irony / irony (SemEval 2018 / TweetEval)."""

    task = "irony"


class OffensiveAnalyser(TextModelAnalyser):
    """not-offensive / offensive (OffensEval 2019 / TweetEval)."""

    task = "offensive"


class HateAnalyser(TextModelAnalyser):
    """not-hate / hate (HatEval 2019 / TweetEval)."""

    task = "hate"


class TopicModelAnalyser(TextModelAnalyser):
    """The issue's nine topics (hand-labelled sample); the pipeline uses it only for texts
    no taxonomy keyword matches (careline.triage.analysers.taxonomy)."""

    task = "topic"


TEXT_ANALYSERS: dict[str, type[TextModelAnalyser]] = {
    cls.task: cls
    for cls in (
        ComplaintAnalyser,
        SentimentAnalyser,
        EmotionAnalyser,
        IronyAnalyser,
        OffensiveAnalyser,
        HateAnalyser,
    )
}
# Optional heads: bundles trained before them (or without their data) still load.
OPTIONAL_TEXT_ANALYSERS: dict[str, type[TextModelAnalyser]] = {"topic": TopicModelAnalyser}
