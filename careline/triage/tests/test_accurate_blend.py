"""The accurate tier's complaint blend: weight choice, nested CV, reasons, pipeline use.

The choice functions are plain numpy (no onnxruntime); the pipeline test runs the shipped
encoder with a copy of its manifest whose blend weight is set, so it is skipped without the
``careline[accurate]`` extra.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from careline.triage.accurate.blend import (
    WEIGHT_GRID,
    blend,
    blend_report,
    blended_predictions,
    choose_weight,
    nested_predictions,
)

LABELS = ["not_complaint", "complaint"]


def _two_noisy_models(n: int = 400, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Two models that each err on a different half of the texts (so the blend wins)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    p_a = np.where(y == 1, 0.8, 0.2)
    p_b = np.where(y == 1, 0.7, 0.3)
    wrong_a = rng.random(n) < 0.25
    wrong_b = ~wrong_a & (rng.random(n) < 0.25)
    # Confidently wrong for a, and mildly wrong for b, on different texts.
    p_a = np.where(wrong_a, 1 - p_a + np.where(y == 1, 0.15, -0.15), p_a)
    p_b = np.where(wrong_b, np.where(y == 1, 0.45, 0.55), p_b)
    return y, p_a, p_b


def test_blend_is_a_weighted_average() -> None:
    assert blend(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.3).tolist() == pytest.approx(
        [0.7, 0.3]
    )
    assert blend(np.array([0.9]), np.array([0.1]), 0.0).tolist() == [0.9]
    assert blend(np.array([0.9]), np.array([0.1]), 1.0).tolist() == [0.1]


def test_choose_weight_finds_a_blend_better_than_either_model() -> None:
    y, p_a, p_b = _two_noisy_models()
    w = choose_weight(y, p_a, p_b)
    assert 0.0 < w < 1.0
    assert w in WEIGHT_GRID

    def errors(p: np.ndarray) -> int:
        return int(((p > 0.5) != y).sum())

    assert errors(blend(p_a, p_b, w)) < min(errors(p_a), errors(p_b))


def test_choose_weight_keeps_the_encoder_when_the_word_model_adds_nothing() -> None:
    y = np.array([0, 1, 0, 1, 1, 0])
    perfect = np.where(y == 1, 0.9, 0.1)
    useless = np.full(len(y), 0.5)
    assert choose_weight(y, perfect, useless) == 0.0
    # ... and takes the least of the word model that corrects an encoder that is always wrong:
    # 0.9 w + 0.3 (1 - w) > 0.5 from w > 1/3, so 0.4 on the grid.
    always_wrong = np.where(y == 1, 0.3, 0.7)
    assert choose_weight(y, always_wrong, perfect) == 0.4


def test_nested_weights_come_from_the_other_folds_only() -> None:
    y, p_a, p_b = _two_noisy_models(200)
    folds = [(np.arange(100, 200), np.arange(0, 100)), (np.arange(0, 100), np.arange(100, 200))]
    pred, weights = nested_predictions(y, p_a, p_b, folds)
    assert weights == [
        choose_weight(y[100:], p_a[100:], p_b[100:]),
        choose_weight(y[:100], p_a[:100], p_b[:100]),
    ]
    expected_first = blend(p_a[:100], p_b[:100], weights[0]) > 0.5
    assert pred[:100].tolist() == expected_first.astype(int).tolist()


def test_report_records_the_weight_and_every_figure() -> None:
    y, p_a, p_b = _two_noisy_models()
    first, second = np.arange(0, 200), np.arange(200, 400)
    folds = [(second, first), (first, second)]
    domains = ["apparel", "random_tweet"] * 200
    report = blend_report(y, p_a, p_b, folds, domains)
    assert report["adopted"] is True
    assert report["default_weight"] == choose_weight(y, p_a, p_b)
    assert len(report["nested_weights"]) == 2
    for key in ("nested_cv", "accurate_alone", "default_alone", "at_best_weight_in_sample"):
        assert report[key]["all"]["n"] == 400
        assert report[key]["brand_addressed"]["n"] == 200
    assert report["nested_cv"]["all"]["macro_f1"] > max(
        report["accurate_alone"]["all"]["macro_f1"], report["default_alone"]["all"]["macro_f1"]
    )


def test_a_blend_that_does_not_beat_the_encoder_out_of_sample_is_not_shipped() -> None:
    # The word model is noise: some weight may fit the noise in sample, never out of it.
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    p_encoder = np.where(y == 1, 0.7, 0.3)
    flip = rng.random(300) < 0.15
    p_encoder = np.where(flip, 1 - p_encoder, p_encoder)
    p_noise = rng.random(300)
    folds = [(np.setdiff1d(np.arange(300), t), t) for t in np.array_split(np.arange(300), 5)]
    report = blend_report(y, p_encoder, p_noise, folds, ["apparel"] * 300)
    assert report["nested_cv"]["all"]["macro_f1"] <= report["accurate_alone"]["all"]["macro_f1"]
    assert report["adopted"] is False
    assert report["default_weight"] == 0.0


def test_blended_predictions_explain_both_models() -> None:
    preds = blended_predictions(LABELS, np.array([0.9, 0.2]), np.array([0.3, 0.4]), 0.3, "v1")
    first, second = preds
    assert first.label == "complaint"
    assert first.score == pytest.approx(0.72)
    assert "p=0.90 and word model p=0.30 for complaint" in first.reason
    assert "weighted 0.7/0.3: p=0.72 for complaint" in first.reason
    assert first.extras["probabilities"] == {"not_complaint": 0.28, "complaint": 0.72}
    assert second.label == "not_complaint"
    assert second.score == pytest.approx(1 - 0.26)
    assert second.extras["word_model_probability"] == 0.4


def test_the_pipeline_blends_when_the_manifest_has_a_weight(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tokenizers")
    from careline.triage.accurate.runtime import MODEL_DIR, REASON_PREFIX
    from careline.triage.pipeline import TriagePipeline

    bundle = tmp_path / "accurate"
    shutil.copytree(MODEL_DIR, bundle)
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    texts = [
        {"id": 1, "text": "Two weeks and my parcel still has not arrived, this is a joke"},
        {"id": 2, "text": "Lovely sunny day at the beach with the kids"},
    ]
    results = {}
    for weight in (0.0, 1.0, 0.5):
        manifest["complaint_blend"] = {"default_weight": weight}
        (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        pipe = TriagePipeline("accurate", accurate_model_dir=bundle)
        results[weight] = pipe.run(texts)
    words = TriagePipeline("default").run(texts)
    encoder, word_model, half = results[0.0][0], words[0], results[0.5][0]
    # An obvious complaint: both models say so, and the blend is their average.
    assert encoder["kind"] == word_model["kind"] == half["kind"] == "complaint"
    assert half["kind_score"] == pytest.approx(
        (encoder["kind_score"] + word_model["kind_score"]) / 2, abs=1e-3
    )
    kind_reason = half["reasons"][0]
    assert kind_reason.startswith(f"kind=complaint: {REASON_PREFIX} p=")
    assert "word model p=" in kind_reason
    assert "weighted 0.5/0.5" in kind_reason
    assert not any("word model" in r for r in encoder["reasons"])
    # Weight 1: the word model alone decides.
    for i in range(2):
        assert (results[1.0][i]["kind"] == "complaint") == (words[i]["kind"] == "complaint")
    assert results[0.5][1]["kind"] != "complaint"
