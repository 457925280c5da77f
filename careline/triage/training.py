"""Rebuild the shipped text models from the shared research data, deterministically.

``train_models(data_dir, out_dir)`` fits one shared word + character TF-IDF feature space on
the TweetEval training texts, then one logistic-regression head per task (C chosen by
stratified cross-validation on the training split), and writes a safe model bundle (see
:mod:`careline.triage.linear`). The complaint head also reads the decision values of the
TweetEval heads (stacking), which are trained on other data, so no complaint label leaks.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, recall_score
from sklearn.model_selection import StratifiedKFold

from careline.triage.base import TriageError
from careline.triage.distillation import TEACHER_FILE, fit_distilled, read_teacher_labels
from careline.triage.features import FeatureConfig, FeatureSpace
from careline.triage.linear import MANIFEST, MODEL_DIR, LinearHead, save_feature_space
from careline.triage.topic_training import (
    SAMPLE_FILE,
    TOPIC_C,
    TOPIC_LABELS,
    LabelledSample,
    fit_topic_head,
    load_labelled_sample,
)

TWEETEVAL_TASKS = ("sentiment", "emotion", "irony", "offensive", "hate")
TASKS = ("complaint", *TWEETEVAL_TASKS, "topic")
BUNDLE_VERSION = "1.0"
# The gold-only offensive head, kept beside the distilled one for the complaint head's stack.
GOLD_OFFENSIVE = "offensive_gold"
SEED = 0


def default_data_dir() -> Path:
    """``$CARELINE_DATA_DIR``, else ``../shared/data`` beside the repository root."""
    env = os.environ.get("CARELINE_DATA_DIR")
    if env:
        return Path(env)
    return (Path(__file__).resolve().parents[2] / ".." / "shared" / "data").resolve()


@dataclass
class Dataset:
    texts: list[str]
    labels: np.ndarray
    label_names: list[str]
    groups: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def _read_lines(path: Path) -> list[str]:
    # newline="" keeps stray "\r" inside a tweet from splitting it into two lines
    with path.open(encoding="utf-8", newline="") as fh:
        content = fh.read()
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def load_tweeteval(data_dir: Path, task: str, split: str) -> Dataset:
    """Read ``tweeteval/<task>/<split>_{text,labels}.txt`` and ``mapping.txt``."""
    base = data_dir / "tweeteval" / task
    text_file, label_file, mapping_file = (
        base / f"{split}_text.txt",
        base / f"{split}_labels.txt",
        base / "mapping.txt",
    )
    try:
        texts = _read_lines(text_file)
        labels = np.array([int(x) for x in _read_lines(label_file)], dtype=np.int64)
        mapping = {}
        for line in _read_lines(mapping_file):
            if line.strip():
                idx, name = line.split("\t", 1)
                mapping[int(idx)] = name.strip()
    except (OSError, ValueError) as exc:
        raise TriageError(f"cannot read TweetEval {task}/{split} in {data_dir}: {exc}") from exc
    if len(texts) != len(labels):
        raise TriageError(f"{text_file}: {len(texts)} texts but {len(labels)} labels")
    names = [mapping[i] for i in sorted(mapping)]
    return Dataset(texts, labels, names, files=[text_file, label_file, mapping_file])


def load_complaints(data_dir: Path) -> Dataset:
    """Read ``complaints/complaints-train.csv`` (id,text,label,domain)."""
    path = data_dir / "complaints" / "complaints-train.csv"
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        texts = [r["text"] for r in rows]
        labels = np.array([int(r["label"]) for r in rows], dtype=np.int64)
        groups = [r["domain"] for r in rows]
    except (OSError, KeyError, ValueError) as exc:
        raise TriageError(f"cannot read complaints data in {data_dir}: {exc}") from exc
    return Dataset(texts, labels, ["not_complaint", "complaint"], groups, [path])


def data_hash(files: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def task_metric(task: str, y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """The official metric: TweetEval's per task; macro-F1 for complaints."""
    if task == "sentiment":
        return float(recall_score(y_true, y_pred, average="macro"))
    if task == "irony":
        return float(f1_score(y_true, y_pred, pos_label=1, average="binary"))
    return float(f1_score(y_true, y_pred, average="macro"))


METRIC_NAMES = {
    "complaint": "macro-F1",
    "sentiment": "macro-recall",
    "emotion": "macro-F1",
    "irony": "F1 (irony class)",
    "offensive": "macro-F1",
    "hate": "macro-F1",
}


@dataclass(frozen=True)
class TrainingConfig:
    """Hyper-parameters. ``c_grid`` values are tried by ``cv_folds``-fold CV (1 value: none)."""

    features: FeatureConfig = field(default_factory=FeatureConfig)
    min_df: int = 3
    c_grid: dict[str, tuple[float, ...]] = field(
        default_factory=lambda: {
            "complaint": (1.0, 3.0, 10.0),
            "sentiment": (1.0,),
            "emotion": (1.0, 3.0, 10.0),
            "irony": (0.3, 1.0, 3.0),
            "offensive": (0.3, 1.0, 3.0),
            "hate": (0.3, 1.0, 3.0),
        }
    )
    cv_folds: int = 3
    complaint_stack: tuple[str, ...] = ("sentiment", "emotion", "offensive")
    # The accurate tier's labels of other tweets (careline.triage.distillation); None: gold only.
    offensive_teacher: Path | None = TEACHER_FILE
    stack_scale: float = 0.3
    max_iter: int = 1000


def make_classifier(C: float, max_iter: int) -> LogisticRegression:
    return LogisticRegression(
        C=C, solver="lbfgs", max_iter=max_iter, class_weight="balanced", random_state=SEED
    )


def fit_weights(
    X: sp.csr_matrix | np.ndarray, y: np.ndarray, n_labels: int, C: float, max_iter: int
) -> tuple[np.ndarray, np.ndarray]:
    """Fit a head and return (coef (n_features, k), intercept (k,))."""
    model = make_classifier(C, max_iter).fit(X, y)
    if n_labels == 2:
        return model.coef_.T.copy(), model.intercept_.copy()
    return model.coef_.T.copy(), model.intercept_.copy()


def choose_c(
    task: str,
    X: sp.csr_matrix,
    y: np.ndarray,
    grid: Sequence[float],
    folds: int,
    max_iter: int,
    strata: Sequence[str] | None = None,
) -> tuple[float, dict[str, float]]:
    """Pick C by stratified CV on the training data; returns (C, {C: metric})."""
    if len(grid) == 1:
        return float(grid[0]), {}
    strat = np.asarray(strata if strata is not None else y)
    _, counts = np.unique(strat, return_counts=True)
    k = max(2, min(folds, int(counts.min())))
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=SEED)
    scores: dict[str, float] = {}
    for C in grid:
        pred = np.empty_like(y)
        for tr, te in splitter.split(np.zeros(len(y)), strat):
            model = make_classifier(C, max_iter).fit(X[tr], y[tr])
            pred[te] = model.predict(X[te])
        scores[str(C)] = task_metric(task, y, pred)
    best = max(grid, key=lambda c: (scores[str(c)], -c))
    return float(best), scores


def stacked_inputs(
    heads: dict[str, LinearHead], names: Sequence[str], X: sp.csr_matrix
) -> np.ndarray:
    """Decision values of the named heads, side by side, shape (n, sum of k)."""
    if not names:
        return np.zeros((X.shape[0], 0))
    return np.hstack([heads[name].decision(X) for name in names])


def train_models(
    data_dir: Path | None = None,
    out_dir: Path | None = None,
    *,
    config: TrainingConfig | None = None,
    tasks: Sequence[str] = TASKS,
    log: Callable[[str], None] = lambda _msg: None,
    extra_examples: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    topic_sample: Path | None = None,
) -> dict[str, Any]:
    """Train every head in ``tasks`` and write the bundle to ``out_dir``; return the manifest.

    ``extra_examples`` (``{task: [(text, label name), ...]}``, e.g. agents' corrections) are
    added to that task's training data only: not to the feature space's vocabulary, not to
    validation. Their counts go into the manifest and their hash into the bundle version.
    An unknown label raises TriageError, except for topics: supervisors add topics the model
    does not know, so those corrections are skipped (logged). The topic head learns from
    ``topic_sample`` (hand labels of complaints-data tweets, :mod:`topic_training`).
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    out_dir = Path(out_dir) if out_dir is not None else MODEL_DIR
    config = config or TrainingConfig()
    started = time.perf_counter()

    tweeteval_tasks = [t for t in TWEETEVAL_TASKS if t in tasks]
    train_sets = {t: load_tweeteval(data_dir, t, "train") for t in tweeteval_tasks}
    val_sets = {t: load_tweeteval(data_dir, t, "val") for t in tweeteval_tasks}
    complaints = load_complaints(data_dir) if "complaint" in tasks else None
    topics = None
    if "topic" in tasks:
        topics = load_labelled_sample(data_dir, topic_sample or SAMPLE_FILE)
    files = [f for d in [*train_sets.values(), *val_sets.values()] for f in d.files]
    if complaints is not None:
        files += complaints.files
    if "offensive" in tweeteval_tasks and config.offensive_teacher is not None:
        files.append(config.offensive_teacher)
    if topics is not None:
        files += [
            f
            for f in [*topics.files, data_dir / "complaints" / "complaints-train.csv"]
            if f not in files
        ]

    corpus = [text for t in tweeteval_tasks for text in train_sets[t].texts]
    if not corpus:  # a bundle without TweetEval heads: the vocabulary of what it has
        corpus = (complaints.texts if complaints else []) or (topics.texts if topics else [])
    space = FeatureSpace.fit(corpus, config.features, min_df=config.min_df)
    # After the feature space: extra examples train the heads but never shape the vocabulary.
    extras = {task: list(pairs) for task, pairs in (extra_examples or {}).items() if task in tasks}
    for task, pairs in (extra_examples or {}).items():
        if task not in extras:
            log(f"{len(pairs)} extra {task} example(s) skipped: no {task} model is trained")
    for task in tweeteval_tasks:
        train_sets[task] = with_extra_examples(train_sets[task], extras.get(task, []), task)
    if complaints is not None:
        complaints = with_extra_examples(complaints, extras.get("complaint", []), "complaint")
    log(
        f"feature space: {space.n_words} word + {space.size - space.n_words} char n-grams "
        f"from {len(corpus)} texts ({time.perf_counter() - started:.0f}s)"
    )

    out_dir.mkdir(parents=True, exist_ok=True)
    heads: dict[str, LinearHead] = {}
    figures: dict[str, dict[str, Any]] = {}
    for task in tweeteval_tasks:
        t0 = time.perf_counter()
        train, val = train_sets[task], val_sets[task]
        X = space.transform(train.texts)
        notes: dict[str, Any] = {"data": f"TweetEval {task} train"}
        C, cv_scores = choose_c(
            task, X, train.labels, config.c_grid.get(task, (1.0,)), config.cv_folds, config.max_iter
        )
        coef, intercept = fit_weights(X, train.labels, len(train.label_names), C, config.max_iter)
        if task == "offensive" and config.offensive_teacher is not None:
            # The complaint head keeps stacking the gold-only head (its CV figures were
            # measured on it; the distilled one moved them by -0.2 / -0.9, and moved short
            # complaints like "My parcel is late" under 0.5): it ships as `offensive_gold`.
            heads[GOLD_OFFENSIVE] = LinearHead(
                GOLD_OFFENSIVE,
                train.label_names,
                coef,
                intercept,
                {"C": C, "cv_scores": cv_scores, "data": "TweetEval offensive train (gold only)"},
            )
            teacher = read_teacher_labels(data_dir, config.offensive_teacher)
            coef, intercept, distilled = fit_distilled(
                X,
                train.labels,
                space.transform(teacher.texts),
                teacher.p_offensive,
                grid=config.c_grid.get(task, (1.0,)),
                folds=config.cv_folds,
                max_iter=config.max_iter,
                metric=lambda y, pred: task_metric("offensive", y, pred),
            )
            C, cv_scores = distilled.pop("C"), distilled.pop("cv_scores")
            notes["data"] += f" + soft labels of {distilled['teacher_rows']} other tweets"
            notes["teacher"] = {"version": teacher.version, **distilled}
        head = LinearHead(task, train.label_names, coef, intercept, {})
        val_pred = head.proba(head.decision(space.transform(val.texts))).argmax(axis=1)
        val_score = task_metric(task, val.labels, val_pred)
        head.meta = {
            "C": C,
            "cv_folds": config.cv_folds,
            "cv_scores": cv_scores,
            "train_size": len(train.texts),
            "val_size": len(val.texts),
            "metric": METRIC_NAMES[task],
            "val_score": round(val_score, 4),
            **notes,
        }
        heads[task] = head
        figures[task] = {"metric": METRIC_NAMES[task], "val": round(val_score, 4), "C": C}
        log(
            f"{task}: C={C} val {METRIC_NAMES[task]}={val_score:.3f} "
            f"({time.perf_counter() - t0:.0f}s)"
        )

    if complaints is not None:
        t0 = time.perf_counter()
        stacked = [
            GOLD_OFFENSIVE if s == "offensive" and GOLD_OFFENSIVE in heads else s
            for s in config.complaint_stack
        ]
        stack = tuple(s for s in stacked if s in heads)
        X = complaint_features(space, heads, stack, config.stack_scale, complaints.texts)
        strata = [f"{y}|{d}" for y, d in zip(complaints.labels, complaints.groups, strict=True)]
        C, cv_scores = choose_c(
            "complaint",
            X,
            complaints.labels,
            config.c_grid.get("complaint", (1.0,)),
            max(config.cv_folds, 5),
            config.max_iter,
            strata,
        )
        coef, intercept = fit_weights(X, complaints.labels, 2, C, config.max_iter)
        heads["complaint"] = LinearHead(
            "complaint",
            complaints.label_names,
            coef,
            intercept,
            {
                "C": C,
                "cv_scores": cv_scores,
                "train_size": len(complaints.texts),
                "metric": METRIC_NAMES["complaint"],
                "data": "complaints-train (Preotiuc-Pietro et al. 2019), @handles masked",
            },
            stack=stack,
            stack_scale=config.stack_scale,
        )
        figures["complaint"] = {"metric": "macro-F1", "C": C, "cv_tuning": cv_scores}
        log(f"complaint: C={C} stack={list(stack)} ({time.perf_counter() - t0:.0f}s)")

    if topics is not None:
        t0 = time.perf_counter()
        heads["topic"] = train_topic_head(space, topics, extras.get("topic", []), log)
        figures["topic"] = {"C": TOPIC_C, "metric": "see careline evaluate (10-fold CV)"}
        log(f"topic: C={TOPIC_C} ({time.perf_counter() - t0:.0f}s)")

    for head in heads.values():
        head.save(out_dir)
    save_feature_space(out_dir, space)
    version = f"{BUNDLE_VERSION}+{data_hash(files)[:12]}"
    extra_counts = {task: len(pairs) for task, pairs in sorted(extras.items()) if pairs}
    if extra_counts:
        version += f".x{extra_hash(extras)[:8]}"
    manifest = {
        "bundle_version": BUNDLE_VERSION,
        "version": version,
        "data_sha256": data_hash(files),
        "features": config.features.to_dict(),
        "min_df": config.min_df,
        "n_features": space.size,
        "n_word_features": space.n_words,
        "tasks": sorted(task for task in heads if task != GOLD_OFFENSIVE),
        "stack_only_heads": [GOLD_OFFENSIVE] if GOLD_OFFENSIVE in heads else [],
        "figures": figures,
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    if extra_counts:
        manifest["extra_examples"] = extra_counts
        manifest["extra_examples_sha256"] = extra_hash(extras)
    (out_dir / MANIFEST).write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    log(f"wrote {out_dir} in {manifest['training_seconds']}s")
    return manifest


def train_topic_head(
    space: FeatureSpace,
    sample: LabelledSample,
    extra: Sequence[tuple[str, str]],
    log: Callable[[str], None],
) -> LinearHead:
    """The topic head on the hand-labelled sample plus corrections naming a known topic."""
    known = [(text, label) for text, label in extra if label in TOPIC_LABELS]
    if len(known) < len(extra):
        log(f"{len(extra) - len(known)} topic correction(s) skipped: topics the model lacks")
    texts = sample.texts + [text for text, _ in known]
    labels = np.concatenate(
        [sample.topics, np.array([TOPIC_LABELS.index(label) for _, label in known], np.int64)]
    )
    head = fit_topic_head(space, texts, labels, C=TOPIC_C)
    head.meta = {
        "C": TOPIC_C,
        "train_size": len(texts),
        "data": "hand-labelled sample of complaints-data tweets (topic_kind_sample.csv)",
        "metric": "accuracy and macro-F1, 10-fold CV (careline evaluate)",
    }
    return head


def with_extra_examples(data: Dataset, pairs: Sequence[tuple[str, str]], task: str) -> Dataset:
    """``data`` plus ``pairs`` of (text, label name); raises TriageError for an unknown label."""
    if not pairs:
        return data
    index = {name: i for i, name in enumerate(data.label_names)}
    unknown = sorted({label for _, label in pairs if label not in index})
    if unknown:
        raise TriageError(
            f"extra {task} examples have unknown labels {unknown}; known: {data.label_names}"
        )
    labels = np.concatenate([data.labels, np.array([index[label] for _, label in pairs])])
    groups = data.groups + ["extra"] * len(pairs) if data.groups else []
    return Dataset(
        data.texts + [text for text, _ in pairs], labels, data.label_names, groups, data.files
    )


def extra_hash(extras: Mapping[str, Sequence[tuple[str, str]]]) -> str:
    blob = json.dumps({task: [list(p) for p in pairs] for task, pairs in sorted(extras.items())})
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def complaint_features(
    space: FeatureSpace,
    heads: dict[str, LinearHead],
    stack: Sequence[str],
    scale: float,
    texts: Sequence[str],
) -> sp.csr_matrix:
    """TF-IDF features plus the scaled decision values of the ``stack`` heads."""
    X = space.transform(texts)
    if not stack:
        return X
    extra = stacked_inputs(heads, stack, X) * scale
    return sp.hstack([X, sp.csr_matrix(extra)], format="csr")
