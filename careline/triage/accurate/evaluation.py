"""``careline evaluate --tier accurate``: the accurate tier's quality, in percent.

- Offensive (macro-F1) and sentiment (macro-recall) on the TweetEval val sets, computed live
  with the shipped int8 model through onnxruntime; offensive also as the pipeline reports it
  (model OR profanity-list match).
- Complaints: re-running the cross-validation needs the fine-tuning (``careline[train]``),
  so the figure is recomputed from the out-of-fold predictions that ``careline train --tier
  accurate`` stored in ``complaint_cv.json`` (each fold's model exported, int8-quantised and
  scored through onnxruntime), against the labels and domains of the data on disk, after
  checking that the data is the data the model was trained on. All tweets and brand-addressed
  tweets only.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from careline.triage.accurate.blend import blend as blend_probabilities
from careline.triage.accurate.runtime import MODEL_DIR, AccurateModel
from careline.triage.analysers.lexicon import ProfanityAnalyser
from careline.triage.base import TriageError
from careline.triage.evaluation import complaint_figures, complaint_oof_probabilities
from careline.triage.training import (
    METRIC_NAMES,
    data_hash,
    default_data_dir,
    load_complaints,
    load_tweeteval,
    task_metric,
)

CV_FILE = "complaint_cv.json"


def _complaint_from_oof(data_dir: Path, model_dir: Path, manifest: dict[str, Any]) -> Any:
    recorded = manifest.get("figures", {}).get("complaint")
    path = model_dir / CV_FILE
    if not path.exists():
        return {
            "error": f"no {CV_FILE}: the training run did not finish its CV",
            **(recorded or {}),
        }
    cv = json.loads(path.read_text(encoding="utf-8"))
    data = load_complaints(data_dir)
    files = [
        *data.files,
        *[
            f
            for task in ("offensive", "sentiment")
            for split in ("train", "val")
            for f in load_tweeteval(data_dir, task, split).files
        ],
    ]
    if data_hash(files) != cv["data_sha256"] or len(data.labels) != cv["n"]:
        raise TriageError(
            f"the data in {data_dir} is not the data the accurate tier was trained on"
        )
    held_out = np.asarray(cv["oof_pred_int8"]) >= 0  # fewer than all folds run: a subset
    y = data.labels[held_out]
    pred = np.asarray(cv["oof_pred_int8"], dtype=y.dtype)[held_out]
    domains = [g for g, k in zip(data.groups, held_out, strict=True) if k]
    out: dict[str, Any] = {
        "protocol": (recorded or {}).get("protocol", ""),
        "source": f"out-of-fold int8 predictions stored by the training run ({CV_FILE})",
        "folds_done": f"{cv.get('folds_done', '?')} of {cv.get('folds', '?')}",
        **complaint_figures(y, pred, domains),
        "fp32_reference": (recorded or {}).get("fp32"),
    }
    blend = manifest.get("complaint_blend")
    p_accurate = np.asarray(cv.get("oof_p_complaint_int8", []), dtype=float)
    if blend and not blend.get("default_weight"):
        out["blend_with_default_tier"] = (
            f"not adopted: nested CV {blend['nested_cv']['all']['macro_f1']} vs the encoder "
            f"alone {blend['accurate_alone']['all']['macro_f1']} (macro-F1, all tweets)"
        )
    elif blend and held_out.all() and len(p_accurate) == len(y):
        # What the pipeline reports: the encoder blended with the default tier's complaint
        # head, whose out-of-fold probabilities for the same folds are recomputed here.
        p_default, _ = complaint_oof_probabilities(data, folds=int(cv["folds"]))
        weight = float(blend["default_weight"])
        blended = (blend_probabilities(p_accurate, p_default, weight) > 0.5).astype(y.dtype)
        out["blended"] = {
            "default_weight": weight,
            **complaint_figures(y, blended, domains),
            "nested_cv_at_training": blend.get("nested_cv"),
            "note": (
                "the weight was chosen on these predictions; nested_cv_at_training picked "
                "each fold's weight on the other folds only"
            ),
        }
    return out


def evaluate_accurate(
    data_dir: Path | None = None, model_dir: Path | None = None, *, threads: int = 2
) -> dict[str, Any]:
    """Every figure of the accurate tier; returns a JSON-serialisable report."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    model_dir = Path(model_dir) if model_dir is not None else MODEL_DIR
    started = time.perf_counter()
    model = AccurateModel(model_dir, threads=threads, verify=True)
    model.load()
    report: dict[str, Any] = {
        "tier": "accurate",
        "model_version": model.version,
        "load_seconds": round(time.perf_counter() - started, 2),
    }
    report["complaint"] = _complaint_from_oof(data_dir, model_dir, model.manifest)
    tweeteval: dict[str, Any] = {}
    for task in ("offensive", "sentiment"):
        val = load_tweeteval(data_dir, task, "val")
        t0 = time.perf_counter()
        pred = model.probabilities(val.texts)[task].argmax(axis=1)
        seconds = time.perf_counter() - t0
        tweeteval[task] = {
            "metric": METRIC_NAMES[task],
            "val": round(100 * task_metric(task, val.labels, pred), 1),
            "n": len(val.texts),
            "encoder_items_per_s": round(len(val.texts) / seconds),
        }
        if task == "offensive":
            profane = np.array(
                [p.label == "profane" for p in ProfanityAnalyser().predict(val.texts)]
            )
            combined = np.where(profane, 1, pred)
            tweeteval[task]["val_with_profanity_list"] = round(
                100 * task_metric(task, val.labels, combined), 1
            )
    report["tweeteval_val"] = tweeteval
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report
