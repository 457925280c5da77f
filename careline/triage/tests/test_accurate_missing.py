"""The accurate tier without its extra: a clear error; the default tier is untouched.

These run whether or not ``careline[accurate]`` is installed (they hide onnxruntime).
"""

from __future__ import annotations

import sys

import pytest

from careline.triage.base import TriageError
from careline.triage.pipeline import TIERS, TriagePipeline


def test_both_tiers_are_known_and_the_default_stays_default() -> None:
    assert TIERS == ("default", "accurate")
    pipeline = TriagePipeline()
    assert pipeline.tier == "default"
    assert pipeline.accurate is None
    with pytest.raises(TriageError, match="unknown tier"):
        TriagePipeline("fast")


def test_missing_extra_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime -> ImportError
    pipeline = TriagePipeline("accurate")
    with pytest.raises(TriageError, match=r"install careline\[accurate\]"):
        pipeline.load()


def test_cli_reports_the_missing_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from careline.triage.cli import main

    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO('{"id": 1, "text": "hi"}\n'))
    assert main(["triage", "--tier", "accurate"]) == 2
    assert "install careline[accurate]" in capsys.readouterr().err


def test_training_without_the_train_extra_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from careline.triage.accurate.train import train_accurate

    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(TriageError, match="extra"):
        train_accurate()
