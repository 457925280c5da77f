from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from careline.triage.base import TriageError
from careline.triage.cli import main, triage_stream
from careline.triage.pipeline import OUTPUT_FIELDS, TriagePipeline
from careline.triage.tests.tiny_data import tiny_topic_sample


@pytest.fixture(scope="module")
def pipeline(tiny_models: Path) -> TriagePipeline:
    made = TriagePipeline(model_dir=tiny_models)
    made.load()
    return made


def test_every_item_gets_the_full_output_shape(pipeline: TriagePipeline) -> None:
    items = [
        {"id": "1", "text": "my order #LH-104233 never arrived, refund now", "author": "x"},
        {"id": "2", "text": "love it, thanks!"},
        {"id": 3, "text": ""},
    ]
    results = pipeline.run(items)
    assert [r["id"] for r in results] == ["1", "2", 3]
    for result in results:
        assert tuple(result) == OUTPUT_FIELDS
        assert json.loads(json.dumps(result)) == result
        for field in (
            "kind",
            "sentiment",
            "emotion",
            "irony",
            "offensive",
            "hate",
            "severity",
            "topic",
            "legitimacy",
        ):
            assert isinstance(result[field], str)
            assert 0.0 <= result[f"{field}_score"] <= 1.0
        assert result["kind"] in {
            "complaint",
            "question",
            "compliment",
            "feedback",
            "spam",
            "troll",
            "other",
        }
        assert all(isinstance(r, str) and r for r in result["reasons"])


def test_private_data_spans_and_redaction_reach_the_output(pipeline: TriagePipeline) -> None:
    text = "charged twice on 4111 1111 1111 1111, mail me at a.b@example.com"
    result = pipeline.run([{"id": "c", "text": text}])[0]
    assert result["private_data"] == [
        {"type": "card", "start": 17, "end": 36},
        {"type": "email", "start": 49, "end": 64},
    ]
    assert result["redacted"] == "charged twice on [CARD], mail me at [EMAIL]"
    assert result["severity"] == "critical"


def test_one_bad_item_does_not_break_the_batch(pipeline: TriagePipeline) -> None:
    items: list[Any] = [{"id": "ok", "text": "thanks"}, {"id": "no-text"}, "junk", {"text": "x"}]
    results = pipeline.run(items)
    assert len(results) == 4
    assert results[0]["kind"] is not None
    assert [r["kind"] for r in results[1:]] == [None, None, None]
    assert results[1]["id"] == "no-text"
    assert results[1]["reasons"] == ["error: item text is missing or not a string"]


def test_a_crashing_analyser_is_isolated_to_its_item(
    pipeline: TriagePipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = pipeline.private_data._one

    def flaky(text: str) -> Any:
        if "boom" in text:
            raise RuntimeError("kaput")
        return original(text)

    monkeypatch.setattr(pipeline.private_data, "_one", flaky)
    results = pipeline.run([{"id": 1, "text": "fine"}, {"id": 2, "text": "boom"}])
    assert results[0]["kind"] is not None
    assert results[1]["kind"] is None
    assert results[1]["reasons"] == ["error: RuntimeError: kaput"]


def test_an_unknown_tier_is_refused() -> None:
    with pytest.raises(TriageError, match="unknown tier"):
        TriagePipeline(tier="gpu")


def test_a_missing_bundle_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TriageError, match="careline train"):
        TriagePipeline(model_dir=tmp_path).load()


def test_the_cli_reads_json_lines_and_writes_one_line_per_item(tiny_models: Path) -> None:
    stdin = io.StringIO(
        '{"id":"a","text":"where is my parcel?"}\nnot json\n\n{"id":"b","text":"ok \\ud83d"}\n'
    )
    stdout = io.StringIO()
    code = triage_stream(stdin, stdout, model_dir=tiny_models)
    lines = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert [line["id"] for line in lines] == ["a", None, "b"]
    assert lines[1]["reasons"][0].startswith("error: invalid JSON line")
    assert lines[2]["redacted"] == "ok \ud83d"
    assert code == 1


def test_cli_evaluate_prints_every_protocol(
    tiny_data: Path, tiny_models: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = str(tiny_topic_sample(tiny_data))
    args = ["--data", str(tiny_data), "--models", str(tiny_models), "--topic-sample", sample]
    assert main(["evaluate", *args]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["complaint"]) == {"protocol", "all", "brand_addressed"}
    assert set(report["tweeteval_val"]) == {"sentiment", "emotion", "irony", "offensive", "hate"}
    assert report["private_data"]["card_recall_pct"] == 100.0
    assert report["topic"]["n"] == len(sample_rows := Path(sample).read_text().splitlines()) - 1
    assert set(report["topic"]) >= {"keywords_only", "model_only", "keywords_then_model"}
    assert report["kind_rules"]["n"] == sum(",other" in row for row in sample_rows)


def test_the_cli_keeps_input_order_with_two_workers(tiny_models: Path) -> None:
    lines = "".join(json.dumps({"id": i, "text": f"item {i} thanks"}) + "\n" for i in range(700))
    stdout = io.StringIO()
    assert triage_stream(io.StringIO(lines), stdout, model_dir=tiny_models, workers=2) == 0
    assert [json.loads(line)["id"] for line in stdout.getvalue().splitlines()] == list(range(700))
