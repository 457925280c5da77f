"""Quality of every analyser, by the protocols the research data was published with.

- Complaints (Preotiuc-Pietro, Gaman, Aletras, ACL 2019): stratified 10-fold cross-validation
  (strata: label x domain) of the complaint head with the shipped feature space and C;
  macro-F1 and accuracy on all tweets, and on brand-addressed tweets only (domains other
  than random_reply / random_tweet). The shipped feature space and the stacked heads are
  trained on TweetEval only, so no complaint text or label leaks into the folds.
- TweetEval (Barbieri et al., Findings of EMNLP 2020): the shipped heads on the val sets, with
  each task's official metric.
- Payment cards: recall and false-alarm rate on generated cases (careline.triage.synthetic).
- Topic and kind: the project's hand-labelled sample of 800 brand-addressed complaints-data
  tweets (careline.triage.topic_training). Topic: 10-fold CV of the topic head, keywords
  alone vs model alone vs keywords then model (what the product does). Kind: the rules for
  the kinds other than complaint, on the sample's non-complaints (the complaint model is
  measured above), with the complaint model switched off.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from careline.triage.analysers.lexicon import ProfanityAnalyser
from careline.triage.analysers.private_data import PrivateDataAnalyser
from careline.triage.analysers.text_models import TEXT_ANALYSERS
from careline.triage.linear import MODEL_DIR, LinearHead, read_manifest, shared_feature_space
from careline.triage.synthetic import card_detection_figures
from careline.triage.topic_training import (
    KIND_LABELS,
    SAMPLE_FILE,
    TOPIC_C,
    LabelledSample,
    load_labelled_sample,
    topic_figures,
    topic_oof_probabilities,
)
from careline.triage.training import (
    METRIC_NAMES,
    SEED,
    TWEETEVAL_TASKS,
    Dataset,
    TrainingConfig,
    complaint_features,
    default_data_dir,
    fit_weights,
    load_complaints,
    load_tweeteval,
    task_metric,
)

RANDOM_DOMAINS = ("random_reply", "random_tweet")


def complaint_folds(labels: np.ndarray, domains: Sequence[str], folds: int) -> list[Any]:
    """The (train, test) index pairs of the complaint CV: stratified by label x domain.

    Shared by both tiers, so their out-of-fold predictions are for the same folds.
    """
    strata = np.array([f"{a}|{b}" for a, b in zip(labels, domains, strict=True)])
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    return list(splitter.split(np.zeros(len(labels)), strata))


def complaint_oof_probabilities(
    data: Dataset, model_dir: Path = MODEL_DIR, *, folds: int = 10
) -> tuple[np.ndarray, str]:
    """Out-of-fold p(complaint) of the shipped complaint head's recipe on the complaints
    ``data`` (``load_complaints``), and its protocol."""
    space = shared_feature_space(model_dir)
    meta = LinearHead.load(model_dir, "complaint")
    heads = {name: LinearHead.load(model_dir, name) for name in meta.stack}
    X = complaint_features(space, heads, meta.stack, meta.stack_scale, data.texts)
    y = data.labels
    C = float(meta.meta.get("C", 1.0))
    p = np.zeros(len(y))
    for tr, te in complaint_folds(y, data.groups, folds):
        coef, intercept = fit_weights(X[tr], y[tr], 2, C, TrainingConfig().max_iter)
        decision = np.asarray(X[te] @ coef).ravel() + intercept[0]
        p[te] = 1.0 / (1.0 + np.exp(-np.clip(decision, -40, 40)))
    protocol = (
        f"stratified {folds}-fold CV (label x domain), C={C}, "
        f"stacked on {list(meta.stack) or 'nothing'}"
    )
    return p, protocol


def complaint_figures(
    labels: np.ndarray, pred: np.ndarray, domains: Sequence[str]
) -> dict[str, dict[str, float]]:
    """Macro-F1 and accuracy in percent, on all tweets and on brand-addressed ones only."""
    brand = np.array([d not in RANDOM_DOMAINS for d in domains])
    out = {}
    for name, mask in (("all", np.ones(len(labels), dtype=bool)), ("brand_addressed", brand)):
        y, p = labels[mask], pred[mask]
        out[name] = {
            "n": int(mask.sum()),
            "macro_f1": round(100 * float(f1_score(y, p, average="macro")), 1),
            "accuracy": round(100 * float(accuracy_score(y, p)), 1),
        }
    return out


def evaluate_complaints(
    data_dir: Path, model_dir: Path = MODEL_DIR, *, folds: int = 10
) -> dict[str, Any]:
    """Stratified ``folds``-fold CV of the complaint head; figures in percent."""
    data = load_complaints(data_dir)
    p, protocol = complaint_oof_probabilities(data, model_dir, folds=folds)
    pred = (p > 0.5).astype(data.labels.dtype)
    return {"protocol": protocol, **complaint_figures(data.labels, pred, data.groups)}


def evaluate_tweeteval(data_dir: Path, model_dir: Path = MODEL_DIR) -> dict[str, Any]:
    """Each shipped TweetEval head on its val set, official metric in percent."""
    out: dict[str, Any] = {}
    for task in TWEETEVAL_TASKS:
        val = load_tweeteval(data_dir, task, "val")
        analyser = TEXT_ANALYSERS[task](model_dir=model_dir)
        probs = analyser.probabilities(analyser.space.transform(val.texts))
        pred = probs.argmax(axis=1)
        out[task] = {
            "metric": METRIC_NAMES[task],
            "val": round(100 * task_metric(task, val.labels, pred), 1),
            "n": len(val.texts),
        }
        if task == "offensive":
            # as the pipeline reports it: model OR profanity-list match
            profane = np.array(
                [p.label == "profane" for p in ProfanityAnalyser().predict(val.texts)]
            )
            combined = np.where(profane, 1, pred)
            out[task]["val_with_profanity_list"] = round(
                100 * task_metric(task, val.labels, combined), 1
            )
    return out


def evaluate_private_data(n: int = 2000) -> dict[str, Any]:
    detector = PrivateDataAnalyser()
    detector.load()
    figures = card_detection_figures(detector, n)
    return {
        "card_cases": figures["card_cases"],
        "card_recall_pct": round(100 * figures["card_recall"], 2),
        "negative_cases": figures["negative_cases"],
        "card_false_alarm_pct": round(100 * figures["card_false_alarm_rate"], 2),
    }


def evaluate_topic(sample: LabelledSample, model_dir: Path = MODEL_DIR) -> dict[str, Any]:
    """Topic figures on the hand-labelled ``sample`` (``load_labelled_sample``; 10-fold CV,
    the shipped head's C)."""
    C = float(LinearHead.load(model_dir, "topic").meta.get("C", TOPIC_C))
    probabilities = topic_oof_probabilities(shared_feature_space(model_dir), sample, C=C)
    return {
        "protocol": "stratified 10-fold CV over the hand-labelled sample; macro-F1 of 9 topics",
        **topic_figures(sample, probabilities),
    }


def evaluate_kinds(sample: LabelledSample, model_dir: Path = MODEL_DIR) -> dict[str, Any]:
    """The kind rules on the sample's non-complaints (complaint switched off)."""
    from careline.triage.pipeline import TriagePipeline

    rows = [i for i, kind in enumerate(sample.kinds) if kind != "complaint"]
    pipeline = TriagePipeline(model_dir=model_dir, complaint_threshold=1.01)
    outputs = pipeline.run([{"id": i, "text": sample.texts[i]} for i in rows])
    truth = [sample.kinds[i] for i in rows]
    predicted = [out["kind"] for out in outputs]
    counts = {kind: truth.count(kind) for kind in KIND_LABELS if kind in truth}
    measured = [kind for kind, n in counts.items() if n >= 10]
    precision, recall, f1, _ = precision_recall_fscore_support(
        truth, predicted, labels=measured, zero_division=0
    )
    return {
        "protocol": "the sample's non-complaints; complaint model off; kinds with >= 10 texts",
        "n": len(rows),
        "counts": counts,
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(np.mean(f1)), 4),
        "per_kind": {
            kind: {"precision": round(float(p), 4), "recall": round(float(r), 4)}
            for kind, p, r in zip(measured, precision, recall, strict=True)
        },
    }


def evaluate_all(
    data_dir: Path | None = None,
    model_dir: Path | None = None,
    *,
    topic_sample: Path | None = None,
) -> dict[str, Any]:
    """Every protocol; returns a JSON-serialisable report."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    model_dir = Path(model_dir) if model_dir is not None else MODEL_DIR
    started = time.perf_counter()
    report: dict[str, Any] = {"model_version": read_manifest(model_dir)["version"]}
    report["complaint"] = evaluate_complaints(data_dir, model_dir)
    report["tweeteval_val"] = evaluate_tweeteval(data_dir, model_dir)
    report["private_data"] = evaluate_private_data()
    sample = load_labelled_sample(data_dir, topic_sample or SAMPLE_FILE)
    report["topic"] = evaluate_topic(sample, model_dir)
    report["kind_rules"] = evaluate_kinds(sample, model_dir)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report
