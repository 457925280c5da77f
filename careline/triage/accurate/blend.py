"""The accurate tier's complaint probability, blended with the default tier's word model.

The fine-tuned encoder and the TF-IDF complaint head make different mistakes (one reads
context, the other counts words and stacks three models trained on other data), so their
average is better than either when their out-of-fold predictions say so. The weight is
chosen, not assumed: ``choose_weight`` picks it from a fixed grid on out-of-fold
probabilities of both models for the *same* folds, and ``nested_figures`` measures that
choice honestly (each fold's weight picked on the other folds only).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from careline.triage.accurate.runtime import REASON_PREFIX
from careline.triage.base import Prediction

# Weight of the default tier's p(complaint); 0 = the encoder alone, 1 = the word model alone.
WEIGHT_GRID = tuple(round(k / 10, 1) for k in range(11))


def blend(p_accurate: np.ndarray, p_default: np.ndarray, weight: float) -> np.ndarray:
    """p(complaint) of the blend: ``weight`` of the default tier's, the rest the encoder's."""
    return weight * np.asarray(p_default) + (1.0 - weight) * np.asarray(p_accurate)


def _macro_f1(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, (p > 0.5).astype(y.dtype), average="macro"))


def choose_weight(y: np.ndarray, p_accurate: np.ndarray, p_default: np.ndarray) -> float:
    """The grid weight with the best macro-F1; ties go to the weight nearest the encoder.

    Ties prefer less of the word model because the encoder is the tier's point; the grid is
    coarse (steps of 0.1) so that the choice cannot chase single tweets.
    """
    scores = [(_macro_f1(y, blend(p_accurate, p_default, w)), -w) for w in WEIGHT_GRID]
    best = max(range(len(WEIGHT_GRID)), key=lambda k: scores[k])
    return WEIGHT_GRID[best]


def nested_predictions(
    y: np.ndarray,
    p_accurate: np.ndarray,
    p_default: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, list[float]]:
    """Out-of-fold blended labels, each fold's weight chosen on the other folds only."""
    pred = np.zeros(len(y), dtype=y.dtype)
    weights = []
    for train, test in folds:
        w = choose_weight(y[train], p_accurate[train], p_default[train])
        weights.append(w)
        pred[test] = (blend(p_accurate[test], p_default[test], w) > 0.5).astype(y.dtype)
    return pred, weights


def blend_report(
    y: np.ndarray,
    p_accurate: np.ndarray,
    p_default: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    domains: Sequence[str],
) -> dict[str, Any]:
    """The shipped weight and the figures behind it (what the manifest records).

    The blend ships only if its nested-CV macro-F1 (weights chosen without the fold scored)
    beats the encoder alone on all tweets; otherwise the weight is 0 and the pipeline uses
    the encoder alone. The in-sample best weight always looks better, so it cannot decide.
    """
    from careline.triage.evaluation import complaint_figures

    best = choose_weight(y, p_accurate, p_default)
    nested, per_fold = nested_predictions(y, p_accurate, p_default, folds)

    def labels(p: np.ndarray) -> np.ndarray:
        return (p > 0.5).astype(y.dtype)

    nested_figures = complaint_figures(y, nested, domains)
    alone = complaint_figures(y, labels(p_accurate), domains)
    adopted = nested_figures["all"]["macro_f1"] > alone["all"]["macro_f1"]
    return {
        "default_weight": best if adopted else 0.0,
        "adopted": adopted,
        "best_weight_in_sample": best,
        "grid": list(WEIGHT_GRID),
        "nested_cv": nested_figures,
        "nested_weights": per_fold,
        "accurate_alone": alone,
        "default_alone": complaint_figures(y, labels(p_default), domains),
        "at_best_weight_in_sample": complaint_figures(
            y, labels(blend(p_accurate, p_default, best)), domains
        ),
        "method": (
            "p = w * p(default tier) + (1 - w) * p(encoder), w from the grid by macro-F1 on "
            "the out-of-fold probabilities of both tiers for the same folds; nested_cv picks "
            "each fold's w on the other folds only (the honest figure); shipped only if "
            "nested_cv beats the encoder alone"
        ),
    }


def blended_predictions(
    labels: Sequence[str],
    p_accurate: np.ndarray,
    p_default: np.ndarray,
    weight: float,
    version: str,
) -> list[Prediction]:
    """Complaint predictions from the blend, with both models' probabilities in the reason.

    ``labels`` is ``[not complaint, complaint]``; ``p_accurate`` and ``p_default`` are
    p(complaint) per text.
    """
    p = blend(p_accurate, p_default, weight)
    out = []
    for pa, pd, pc in zip(p_accurate.tolist(), p_default.tolist(), p.tolist(), strict=True):
        k = 1 if pc > 0.5 else 0
        score = pc if k else 1.0 - pc
        out.append(
            Prediction(
                "complaint",
                version,
                labels[k],
                round(score, 4),
                f"{REASON_PREFIX} p={pa:.2f} and word model p={pd:.2f} for {labels[1]}, "
                f"weighted {1 - weight:.1f}/{weight:.1f}: p={score:.2f} for {labels[k]}",
                {
                    "probabilities": {labels[0]: round(1.0 - pc, 4), labels[1]: round(pc, 4)},
                    "encoder_probability": round(pa, 4),
                    "word_model_probability": round(pd, 4),
                },
            )
        )
    return out
