from __future__ import annotations

from pathlib import Path

import pytest

from careline.triage.tests.tiny_data import tiny_topic_sample, write_tiny_data
from careline.triage.training import TrainingConfig, train_models

FAST = TrainingConfig(min_df=1, c_grid={}, max_iter=200, offensive_teacher=None)


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_data(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def tiny_models(tiny_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("models")
    train_models(tiny_data, out, config=FAST, topic_sample=tiny_topic_sample(tiny_data))
    return out
