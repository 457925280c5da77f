"""Linear heads over the shared feature space, and the safe on-disk model bundle.

A bundle is a directory with ``manifest.json`` (versions, feature configuration, data hash,
figures), ``features.npz`` (vocabulary and idf) and one ``<task>.npz`` + ``<task>.json`` per
head. Only ``np.load(..., allow_pickle=False)`` and ``json`` read it: nothing executable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from careline.triage.base import TriageError
from careline.triage.features import FeatureConfig, FeatureSpace

MODEL_DIR = Path(__file__).resolve().parent / "models"
MANIFEST = "manifest.json"
FEATURES = "features.npz"


@dataclass
class LinearHead:
    """Logistic-regression weights for one task.

    ``coef`` has shape (n_features, k): k == 1 for a binary task (probability of
    ``labels[1]`` through a sigmoid), k == len(labels) for a multinomial one (softmax).
    ``stack`` names other heads whose decision values are appended to the features, scaled
    by ``stack_scale`` (their weights are the last rows of ``coef``).
    """

    task: str
    labels: list[str]
    coef: np.ndarray
    intercept: np.ndarray
    meta: dict[str, Any]
    stack: tuple[str, ...] = ()
    stack_scale: float = 1.0

    @property
    def binary(self) -> bool:
        return self.coef.shape[1] == 1

    def decision(self, X: sp.csr_matrix, stacked: np.ndarray | None = None) -> np.ndarray:
        """Return raw scores, shape (n, k)."""
        n_base = self.coef.shape[0] - (0 if stacked is None else stacked.shape[1])
        scores = np.asarray(X @ self.coef[:n_base]) + self.intercept
        if stacked is not None:
            scores += (stacked * self.stack_scale) @ self.coef[n_base:]
        return scores

    def proba(self, scores: np.ndarray) -> np.ndarray:
        """Turn raw scores into class probabilities, shape (n, len(labels))."""
        if self.binary:
            p1 = 1.0 / (1.0 + np.exp(-np.clip(scores[:, 0], -40, 40)))
            return np.column_stack([1.0 - p1, p1])
        z = scores - scores.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def label_weights(self, label: int) -> np.ndarray:
        """Per-feature weight pushing towards class ``label`` (cached per label)."""
        cache: dict[int, np.ndarray] = self.__dict__.setdefault("_label_weights", {})
        if label not in cache:
            if self.binary:
                cache[label] = self.coef[:, 0] if label == 1 else -self.coef[:, 0]
            else:
                others = np.delete(self.coef, label, axis=1).mean(axis=1)
                cache[label] = self.coef[:, label] - others
        return cache[label]

    def save(self, directory: Path) -> None:
        np.savez_compressed(
            directory / f"{self.task}.npz",
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float64),
        )
        meta = dict(self.meta)
        meta.update(
            task=self.task,
            labels=self.labels,
            stack=list(self.stack),
            stack_scale=self.stack_scale,
        )
        (directory / f"{self.task}.json").write_text(
            json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path, task: str) -> LinearHead:
        try:
            meta = json.loads((directory / f"{task}.json").read_text(encoding="utf-8"))
            with np.load(directory / f"{task}.npz", allow_pickle=False) as arrays:
                coef = np.asarray(arrays["coef"], dtype=np.float64)
                intercept = np.asarray(arrays["intercept"], dtype=np.float64)
        except (OSError, KeyError, ValueError) as exc:
            raise TriageError(f"cannot load model {task!r} from {directory}: {exc}") from exc
        return cls(
            task=task,
            labels=list(meta["labels"]),
            coef=coef,
            intercept=intercept,
            meta=meta,
            stack=tuple(meta.get("stack", ())),
            stack_scale=float(meta.get("stack_scale", 1.0)),
        )


def read_manifest(directory: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TriageError(f"no model bundle in {directory} ({exc}); run `careline train`") from exc
    return data


def load_feature_space(directory: Path) -> FeatureSpace:
    manifest = read_manifest(directory)
    try:
        config = FeatureConfig.from_dict(manifest["features"])
        with np.load(directory / FEATURES, allow_pickle=False) as arrays:
            return FeatureSpace.from_arrays(dict(arrays), config)
    except (OSError, KeyError, ValueError) as exc:
        raise TriageError(f"cannot load feature space from {directory}: {exc}") from exc


def save_feature_space(directory: Path, space: FeatureSpace) -> None:
    arrays = space.to_arrays()
    np.savez_compressed(
        directory / FEATURES,
        words_utf8=arrays["words_utf8"],
        char_keys=arrays["char_keys"],
        idf=arrays["idf"],
    )


_SHARED: dict[tuple[Path, int], FeatureSpace] = {}


def shared_feature_space(directory: Path) -> FeatureSpace:
    """Load a bundle's feature space once per process (every head of a bundle shares it).

    Keyed by path and file modification time, so a retrained bundle is picked up.
    """
    path = directory.resolve()
    try:
        key = (path, (path / FEATURES).stat().st_mtime_ns)
    except OSError as exc:
        raise TriageError(f"no feature space in {directory}: {exc}; run `careline train`") from exc
    if key not in _SHARED:
        if len(_SHARED) > 4:
            _SHARED.clear()
        _SHARED[key] = load_feature_space(path)
    return _SHARED[key]
