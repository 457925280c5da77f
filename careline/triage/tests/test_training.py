from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from careline.triage.base import TriageError
from careline.triage.linear import LinearHead, load_feature_space
from careline.triage.tests.conftest import FAST
from careline.triage.tests.tiny_data import tiny_topic_sample
from careline.triage.training import TASKS, TrainingConfig, default_data_dir, train_models


def test_training_twice_gives_identical_models(tiny_data: Path, tmp_path: Path) -> None:
    sample = tiny_topic_sample(tiny_data)
    first = train_models(tiny_data, tmp_path / "a", config=FAST, topic_sample=sample)
    second = train_models(tiny_data, tmp_path / "b", config=FAST, topic_sample=sample)
    assert first["version"] == second["version"]
    assert first["data_sha256"] == second["data_sha256"]
    space_a, space_b = load_feature_space(tmp_path / "a"), load_feature_space(tmp_path / "b")
    assert space_a.words == space_b.words
    assert np.array_equal(space_a.char_keys, space_b.char_keys)
    for task in TASKS:
        a, b = LinearHead.load(tmp_path / "a", task), LinearHead.load(tmp_path / "b", task)
        assert np.array_equal(a.coef, b.coef)
        assert np.array_equal(a.intercept, b.intercept)


def test_c_is_chosen_by_cross_validation(tiny_data: Path, tmp_path: Path) -> None:
    config = TrainingConfig(min_df=1, c_grid={"irony": (0.1, 1.0)}, max_iter=200)
    manifest = train_models(tiny_data, tmp_path, config=config, tasks=("irony",))
    meta = json.loads((tmp_path / "irony.json").read_text(encoding="utf-8"))
    assert set(meta["cv_scores"]) == {"0.1", "1.0"}
    assert manifest["tasks"] == ["irony"]


def test_the_bundle_holds_no_pickle(tiny_models: Path) -> None:
    for path in tiny_models.glob("*.npz"):
        with np.load(path, allow_pickle=False) as arrays:
            assert all(arrays[name].dtype != object for name in arrays.files)
    assert {p.suffix for p in tiny_models.iterdir()} == {".npz", ".json"}


def test_complaint_handles_are_masked_before_features(tiny_models: Path) -> None:
    space = load_feature_space(tiny_models)
    assert not any(w.startswith("brand") for w in space.words)


def test_missing_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TriageError, match="cannot read TweetEval"):
        train_models(tmp_path, tmp_path / "out", config=FAST)


def test_the_data_dir_can_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CARELINE_DATA_DIR", str(tmp_path))
    assert default_data_dir() == tmp_path
    monkeypatch.delenv("CARELINE_DATA_DIR")
    assert default_data_dir().parts[-2:] == ("shared", "data")
