"""The offensive head learns from the accurate tier's shipped labels of other tweets."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from careline.triage.base import TriageError
from careline.triage.distillation import (
    TEACHER_FILE,
    fit_distilled,
    pool_digest,
    read_teacher_labels,
    teacher_pool,
)
from careline.triage.linear import LinearHead
from careline.triage.tests.conftest import FAST
from careline.triage.tests.tiny_data import tiny_topic_sample
from careline.triage.training import load_tweeteval, train_models


def write_fake_teacher(data_dir: Path, path: Path) -> np.ndarray:
    """A stand-in for the accurate tier: 'hate' and 'angry' words are offensive."""
    pool = teacher_pool(data_dir)
    p = np.array([0.9 if ("hate" in t or "angry" in t) else 0.1 for t in pool])
    np.savez_compressed(
        path,
        p_offensive=p.astype(np.float16),
        pool_sha256=np.array(pool_digest(pool)),
        teacher_version=np.array("accurate-test"),
    )
    return p


def test_the_pool_is_the_other_tasks_training_tweets_once_without_any_offensive_one(
    tiny_data: Path,
) -> None:
    pool = teacher_pool(tiny_data)
    offensive = set(load_tweeteval(tiny_data, "offensive", "train").texts)
    offensive |= set(load_tweeteval(tiny_data, "offensive", "val").texts)
    others = {
        t for task in ("sentiment", "hate") for t in load_tweeteval(tiny_data, task, "train").texts
    }

    assert len(pool) == len(set(pool))
    assert not offensive & set(pool)
    assert others - offensive <= set(pool)


def test_labels_made_for_other_texts_are_refused_with_the_way_out(
    tiny_data: Path, tmp_path: Path
) -> None:
    path = tmp_path / "teacher.npz"
    p = write_fake_teacher(tiny_data, path)
    labels = read_teacher_labels(tiny_data, path)
    assert labels.version == "accurate-test"
    assert np.allclose(labels.p_offensive, p, atol=1e-3)

    arrays = dict(np.load(path, allow_pickle=False))
    arrays["pool_sha256"] = np.array("0" * 64)
    np.savez_compressed(path, **arrays)
    with pytest.raises(TriageError, match="--refresh-teacher"):
        read_teacher_labels(tiny_data, path)
    with pytest.raises(TriageError, match="cannot read the offensive teacher labels"):
        read_teacher_labels(tiny_data, tmp_path / "missing.npz")


def test_the_calibration_is_folded_into_the_weights() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    y = (X[:, 0] + 0.5 * rng.normal(size=120) > 0).astype(np.int64)
    X_pool = rng.normal(size=(80, 5))
    p_pool = 1 / (1 + np.exp(-3 * X_pool[:, 0]))

    coef, intercept, notes = fit_distilled(
        sp.csr_matrix(X),
        y,
        sp.csr_matrix(X_pool),
        p_pool,
        grid=(1.0,),
        folds=3,
        max_iter=500,
        metric=lambda t, p: float((t == p).mean()),
    )

    rows = np.vstack([X, X_pool, X_pool])
    labels = np.concatenate([y, np.ones(80, np.int64), np.zeros(80, np.int64)])
    weights = np.concatenate([np.ones(120), p_pool, 1 - p_pool])
    raw = LogisticRegression(
        C=1.0, solver="lbfgs", max_iter=500, class_weight="balanced", random_state=0
    ).fit(rows, labels, sample_weight=weights)
    a, b = notes["platt"]["a"], notes["platt"]["b"]
    assert np.allclose(coef[:, 0], raw.coef_[0] * a, atol=1e-4)
    assert np.allclose(intercept, raw.intercept_ * a + b, atol=1e-4)
    assert (notes["C"], notes["teacher_rows"]) == (1.0, 80)


def test_training_with_a_teacher_records_it_and_is_deterministic(
    tiny_data: Path, tmp_path: Path
) -> None:
    write_fake_teacher(tiny_data, tmp_path / "teacher.npz")
    config = replace(FAST, offensive_teacher=tmp_path / "teacher.npz")
    sample = tiny_topic_sample(tiny_data)

    first = train_models(tiny_data, tmp_path / "a", config=config, topic_sample=sample)
    second = train_models(tiny_data, tmp_path / "b", config=config, topic_sample=sample)
    plain = train_models(tiny_data, tmp_path / "c", config=FAST, topic_sample=sample)

    meta = json.loads((tmp_path / "a" / "offensive.json").read_text(encoding="utf-8"))
    assert meta["teacher"]["version"] == "accurate-test"
    assert set(meta["teacher"]["platt"]) == {"a", "b"}
    assert meta["data"].startswith("TweetEval offensive train + soft labels of ")
    assert first["version"] == second["version"] != plain["version"]  # the labels are data
    complaint = LinearHead.load(tmp_path / "a", "complaint")
    assert complaint.stack == ("sentiment", "emotion", "offensive_gold")  # not the distilled one
    assert first["stack_only_heads"] == ["offensive_gold"]
    assert "offensive_gold" not in first["tasks"]
    heads = [LinearHead.load(tmp_path / d, "offensive") for d in ("a", "b", "c")]
    assert np.array_equal(heads[0].coef, heads[1].coef)
    assert not np.array_equal(heads[0].coef, heads[2].coef)


def test_the_shipped_teacher_labels_fit_the_shipped_data_when_it_is_here() -> None:
    from careline.triage.training import default_data_dir

    data_dir = default_data_dir()
    if not (data_dir / "tweeteval").exists():
        pytest.skip("../shared/data is not here")
    labels = read_teacher_labels(data_dir, TEACHER_FILE)
    assert labels.version.startswith("accurate-")
    assert 0.05 < float((labels.p_offensive > 0.5).mean()) < 0.5


def test_the_cli_refuses_teacher_labels_made_for_other_data_and_trains_without_on_request(
    tiny_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from careline.triage.cli import main

    args = ["train", "--data", str(tiny_data), "--out", str(tmp_path)]
    args += ["--topic-sample", str(tiny_topic_sample(tiny_data))]

    assert main(args) == 2
    assert "--refresh-teacher" in capsys.readouterr().err
    assert main([*args, "--no-teacher"]) == 0
    meta = json.loads((tmp_path / "offensive.json").read_text(encoding="utf-8"))
    assert "teacher" not in meta
