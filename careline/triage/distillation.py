"""The default tier's offensive head, taught by the accurate tier as well as by its labels.

The accurate tier (MiniLM) reads offensive language far better than word n-grams (77.9 vs 72.1
macro-F1 on TweetEval val). Its judgement of ~62k *other* tweets (the training texts of the
sentiment, emotion, irony and hate tasks; never an offensive val tweet) is shipped as derived
data, ``labels/offensive_teacher.npz``: one float16 p(offensive) per tweet, in a fixed order,
with a digest of the texts. Training the default tier reads it, so it needs no onnxruntime;
``careline train --refresh-teacher`` (needs ``careline[accurate]``) recomputes it.

The head learns from the 11,916 gold tweets (weight 1) plus every pool tweet twice, once as
offensive with weight p and once as not with weight 1 - p (soft labels). C is chosen by
3-fold CV on the gold tweets (teacher rows in every fold's training). Soft labels make the
scores overconfident, so a Platt scaling fitted on the gold tweets' out-of-fold scores is
folded into the weights (sigmoid(a*(w.x + c) + b) == sigmoid((a*w).x + (a*c + b))): the head
stays a plain linear head and its probabilities stay comparable with the thresholds that read
them (troll 0.7, hide 0.9).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from careline.triage.base import TriageError

TEACHER_FILE = Path(__file__).resolve().parent / "labels" / "offensive_teacher.npz"
POOL_TASKS = ("sentiment", "emotion", "irony", "hate")
SEED = 0


def teacher_pool(data_dir: Path) -> list[str]:
    """The pool's texts, in order: the ``POOL_TASKS`` training texts, each once, without any
    text of the offensive train or val sets."""
    from careline.triage.training import load_tweeteval

    held = set(load_tweeteval(data_dir, "offensive", "train").texts)
    held |= set(load_tweeteval(data_dir, "offensive", "val").texts)
    pool: dict[str, None] = {}
    for task in POOL_TASKS:
        for text in load_tweeteval(data_dir, task, "train").texts:
            if text not in held:
                pool.setdefault(text, None)
    return list(pool)


def pool_digest(pool: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(pool).encode("utf-8")).hexdigest()


def write_teacher_labels(
    data_dir: Path,
    out: Path = TEACHER_FILE,
    *,
    accurate_model_dir: Path | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> int:
    """Label the pool with the accurate tier's p(offensive) and save it; returns its size."""
    from careline.triage.accurate.runtime import AccurateModel

    pool = teacher_pool(data_dir)
    model = AccurateModel(accurate_model_dir, threads=2, batch_size=64)
    log(f"teacher labels: {len(pool)} tweets through the accurate tier")
    p = model.probabilities(pool)["offensive"][:, 1]
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out,
        p_offensive=p.astype(np.float16),
        pool_sha256=np.array(pool_digest(pool)),
        teacher_version=np.array(f"accurate-{model.version}"),
    )
    return len(pool)


@dataclass(frozen=True)
class TeacherLabels:
    texts: list[str]
    p_offensive: np.ndarray
    version: str


def read_teacher_labels(data_dir: Path, path: Path = TEACHER_FILE) -> TeacherLabels:
    """The shipped labels with their texts; TriageError if they were made for other data."""
    pool = teacher_pool(data_dir)
    try:
        with np.load(path, allow_pickle=False) as arrays:
            p = np.asarray(arrays["p_offensive"], dtype=np.float64)
            digest = str(arrays["pool_sha256"])
            version = str(arrays["teacher_version"])
    except (OSError, KeyError, ValueError) as exc:
        raise TriageError(f"cannot read the offensive teacher labels {path}: {exc}") from exc
    if digest != pool_digest(pool) or len(p) != len(pool):
        raise TriageError(
            f"{path} was made for other TweetEval texts; run `careline train "
            "--refresh-teacher` (needs careline[accurate])"
        )
    return TeacherLabels(pool, p, version)


def _classifier(C: float, max_iter: int) -> LogisticRegression:
    return LogisticRegression(
        C=C, solver="lbfgs", max_iter=max_iter, class_weight="balanced", random_state=SEED
    )


def _with_teacher(
    X: sp.csr_matrix, y: np.ndarray, X_pool: sp.csr_matrix, p_pool: np.ndarray
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    rows = sp.vstack([X, X_pool, X_pool]).tocsr()
    labels = np.concatenate([y, np.ones(len(p_pool), np.int64), np.zeros(len(p_pool), np.int64)])
    weights = np.concatenate([np.ones(len(y)), p_pool, 1.0 - p_pool])
    return rows, labels, weights


def fit_distilled(
    X: sp.csr_matrix,
    y: np.ndarray,
    X_pool: sp.csr_matrix,
    p_pool: np.ndarray,
    *,
    grid: Sequence[float],
    folds: int,
    max_iter: int,
    metric: Callable[[np.ndarray, np.ndarray], float],
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Fit the binary head on gold + soft teacher rows, calibrated; returns (coef (n, 1),
    intercept (1,), notes with C, CV scores and the Platt parameters)."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    splits = list(splitter.split(np.zeros(len(y)), y))
    scores: dict[str, float] = {}
    oof: dict[float, np.ndarray] = {}
    for C in grid:
        decision = np.zeros(len(y))
        for train, test in splits:
            rows, labels, weights = _with_teacher(X[train], y[train], X_pool, p_pool)
            model = _classifier(C, max_iter).fit(rows, labels, sample_weight=weights)
            decision[test] = model.decision_function(X[test])
        oof[C] = decision
        scores[str(C)] = metric(y, (decision > 0).astype(np.int64))
    best = max(grid, key=lambda c: (scores[str(c)], -c))
    platt = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000).fit(oof[best][:, None], y)
    a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    rows, labels, weights = _with_teacher(X, y, X_pool, p_pool)
    model = _classifier(best, max_iter).fit(rows, labels, sample_weight=weights)
    coef = model.coef_.T * a
    intercept = model.intercept_ * a + b
    notes = {
        "C": float(best),
        "cv_scores": scores,
        "platt": {"a": round(a, 6), "b": round(b, 6)},
        "teacher_rows": len(p_pool),
    }
    return coef, intercept, notes
