"""The accurate tier (``careline[accurate]``): skipped when onnxruntime/tokenizers are missing.

Runs the shipped int8 model (``careline/triage/models/accurate``) through the pipeline; the
default tier's shipped bundle provides the other fields.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("tokenizers")

from careline.triage.accurate.runtime import (
    MODEL_DIR,
    REASON_PREFIX,
    TASKS,
    AccurateAnalyser,
    AccurateModel,
    file_sha256,
    normalise,
)
from careline.triage.cli import triage_stream
from careline.triage.pipeline import OUTPUT_FIELDS, TriagePipeline

ROOT = Path(__file__).resolve().parents[3]
ACCURATE_DIR = Path(os.environ.get("CARELINE_ACCURATE_MODELS", MODEL_DIR))

HOSTILE = [
    "",
    "   \n\t  ",
    "a" * 200_000,
    "refund " * 30_000,
    "\x00\x01\x02 null bytes \x7f",
    "lone surrogate \ud800 and \udfff here",
    "<script>alert('x')</script> DROP TABLE items; --",
    "\u202etxet lanoitcerid-ib\u202c \u200b\u200d zero width",
    "🔥🔥🔥💀💀 " * 500,
    "\uff26\uff55\uff4c\uff4c fullwidth and \u00c0\u00c9\u00ce\u00d5\u00dc \u00f1 \u00df",
    "&amp;&lt;&gt;&#0;&#xFFFFFF; &bogus;",
    "@user @user @user http://x.y/z?q=1 www.example.com",
    "مرحبا بالعالم 你好世界 こんにちは",
]


@pytest.fixture(scope="module")
def model() -> AccurateModel:
    made = AccurateModel(ACCURATE_DIR, verify=True)
    made.load()
    return made


@pytest.fixture(scope="module")
def pipeline() -> TriagePipeline:
    made = TriagePipeline("accurate", accurate_model_dir=ACCURATE_DIR)
    made.load()
    return made


def test_bundle_is_small_safe_and_matches_its_manifest() -> None:
    manifest = json.loads((ACCURATE_DIR / "manifest.json").read_text(encoding="utf-8"))
    files = sorted(p.name for p in ACCURATE_DIR.iterdir() if p.is_file())
    assert set(files) <= {"manifest.json", "complaint_cv.json", "model.int8.onnx", "tokenizer.json"}
    assert sum((ACCURATE_DIR / f).stat().st_size for f in files) <= 70 * 1024 * 1024
    for name, digest in manifest["files_sha256"].items():
        assert file_sha256(ACCURATE_DIR / name) == digest
    assert set(manifest["labels"]) == set(TASKS)
    assert manifest["labels"]["sentiment"] == ["negative", "neutral", "positive"]
    assert manifest["data_sha256"]


def test_runtime_loads_fast_without_torch() -> None:
    code = (
        "import sys, time; t = time.perf_counter();"
        "from careline.triage.accurate.runtime import AccurateModel;"
        f"AccurateModel({str(ACCURATE_DIR)!r}).load();"
        "print(time.perf_counter() - t);"
        "print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    seconds, imported = out.stdout.strip().splitlines()
    assert float(seconds) < 3.0
    assert imported == "False False"


def test_probabilities_are_distributions_in_input_order(model: AccurateModel) -> None:
    texts = ["my parcel never arrived and nobody answers, awful", "thank you so much, love it"]
    probs = model.probabilities(texts)
    for task in TASKS:
        assert probs[task].shape == (2, len(model.labels[task]))
        assert np.allclose(probs[task].sum(axis=1), 1.0)
    swapped = model.probabilities(texts[::-1])
    for task in TASKS:
        assert np.allclose(probs[task], swapped[task][::-1], atol=1e-6)
    assert probs["sentiment"][0].argmax() == 0  # negative
    assert probs["sentiment"][1].argmax() == 2  # positive
    assert probs["complaint"][0, 1] > probs["complaint"][1, 1]


def test_scores_are_deterministic(model: AccurateModel) -> None:
    texts = [f"order {i} is late again, where is my refund" for i in range(40)] + HOSTILE[:2]
    first = model.probabilities(texts)
    second = model.probabilities(texts)
    third = AccurateModel(ACCURATE_DIR).probabilities(texts)
    for task in TASKS:
        assert np.array_equal(first[task], second[task])
        assert np.array_equal(first[task], third[task])


def test_a_texts_scores_do_not_depend_on_its_batch_mates(model: AccurateModel) -> None:
    # Dynamic int8 quantisation scales activations over the input tensor, so by default each
    # text runs on its own; batch_size > 1 is the faster, approximate mode.
    texts = [f"order {i} is late again, where is my refund" for i in range(40)]
    texts += ["thanks, all sorted now!!! " * 5, "you are useless", HOSTILE[8]]
    together = model.probabilities(texts)
    batched = AccurateModel(ACCURATE_DIR, batch_size=16).probabilities(texts)
    for row in range(0, len(texts), 7):
        alone = model.probabilities([texts[row]])
        for task in TASKS:
            assert np.array_equal(together[task][row], alone[task][0])
            assert np.allclose(batched[task][row], alone[task][0], atol=0.35)


def test_hostile_and_empty_texts_are_handled(model: AccurateModel) -> None:
    started = time.perf_counter()
    probs = model.probabilities(HOSTILE)
    assert time.perf_counter() - started < 10
    for task in TASKS:
        assert probs[task].shape[0] == len(HOSTILE)
        assert np.isfinite(probs[task]).all()
    assert normalise("a" * 200_000) == "a" * 3
    assert len(model.encode(["refund " * 30_000])[0]) <= model.max_seq_len


def test_pipeline_output_has_the_default_shape_and_accurate_reasons(
    pipeline: TriagePipeline,
) -> None:
    items = [
        {"id": "1", "text": "@shop my order #LH-104233 never arrived, refund now", "author": "x"},
        {"id": 2, "text": "love the new app, thanks!"},
        {"id": "3", "text": ""},
        {"id": "4", "text": HOSTILE[2]},
        {"id": "5", "text": HOSTILE[5]},
        "not an object",
        {"id": "7", "text": 12},
    ]
    results = pipeline.run(items)
    default = TriagePipeline().run(items)
    assert [r["id"] for r in results] == ["1", 2, "3", "4", "5", None, "7"]
    assert [r["reasons"][0].startswith("error:") for r in results] == [
        r["reasons"][0].startswith("error:") for r in default
    ]
    for result, base in zip(results, default, strict=True):
        assert tuple(result) == OUTPUT_FIELDS == tuple(base)
        assert json.loads(json.dumps(result)) == result
    for result in results[:5]:
        for field in ("kind", "sentiment", "offensive", "emotion", "hate", "severity"):
            assert isinstance(result[field], str)
            assert 0.0 <= result[f"{field}_score"] <= 1.0
        assert result["sentiment"] in {"negative", "neutral", "positive"}
        text = " | ".join(result["reasons"])
        assert f"sentiment={result['sentiment']}: {REASON_PREFIX} p=" in text
        assert f"{REASON_PREFIX} p=" in next(r for r in result["reasons"] if "offensive=" in r)
    assert results[0]["kind"] == "complaint"
    assert f"{REASON_PREFIX} p=" in results[0]["reasons"][0]
    assert results[1]["sentiment"] == "positive"
    assert results[5]["kind"] is None
    assert results[6]["kind"] is None


def test_pipeline_scores_are_deterministic(pipeline: TriagePipeline) -> None:
    items = [{"id": i, "text": t} for i, t in enumerate(HOSTILE)]
    assert pipeline.run(items) == pipeline.run(items)


def test_versions_name_the_accurate_model(pipeline: TriagePipeline) -> None:
    versions = pipeline.versions
    for task in TASKS:
        assert versions[task].startswith("accurate-")
    assert not versions["emotion"].startswith("accurate-")


def test_the_analyser_wrapper(model: AccurateModel) -> None:
    analyser = AccurateAnalyser("offensive", model)
    preds = analyser.predict(["you are all idiots", "have a nice day"])
    assert [p.analyser for p in preds] == ["offensive", "offensive"]
    assert (
        preds[0].extras["probabilities"]["offensive"]
        > preds[1].extras["probabilities"]["offensive"]
    )


def test_cli_triage_with_the_accurate_tier() -> None:
    lines = "".join(
        json.dumps({"id": i, "text": t}) + "\n"
        for i, t in enumerate(["where is my refund??", "great service", "x" * 50_000])
    )
    lines += "not json\n"
    out = io.StringIO()
    code = triage_stream(io.StringIO(lines), out, tier="accurate", accurate_model_dir=ACCURATE_DIR)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert code == 1  # the invalid line
    assert [r["id"] for r in rows] == [0, 1, 2, None]
    assert all(REASON_PREFIX in " ".join(r["reasons"]) for r in rows[:3])
