"""The feedback loop: corrections exported as training examples; `careline train
--with-corrections` feeds them to training (tiny synthetic data, no full retrain)."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from careline.accounts.models import User
from careline.assessments.selectors import correction_examples
from careline.assessments.services import correct_assessment
from careline.assessments.tests.conftest import ingest_and_assess
from careline.inbox.models import Channel, Message
from careline.triage import cli, training
from careline.triage.base import TriageError
from careline.triage.tests.conftest import FAST
from careline.triage.tests.tiny_data import tiny_topic_sample, write_tiny_data
from careline.triage.training import train_models
from conftest import item


@pytest.fixture
def corrected(generic_channel: Channel, agent: User, supervisor: User) -> None:
    ingest_and_assess(
        generic_channel,
        [
            item("late", author="u1", text="My parcel is late"),
            item("card", author="u2", text="My card 4111 1111 1111 1111 was charged twice"),
            item("thanks", author="u3", text="Thanks so much, the new lamp is lovely!"),
        ],
    )
    late, card, thanks = (Message.objects.get(external_id=x) for x in ("late", "card", "thanks"))
    correct_assessment(late, actor=agent, kind="question")
    # A second opinion: only the latest correction of a field counts.
    correct_assessment(late, actor=supervisor, kind="feedback", sentiment="neutral")
    correct_assessment(card, actor=agent, sentiment="negative", topic="payment_billing")
    correct_assessment(thanks, actor=agent, kind="complaint", topic="pricing")


@pytest.mark.django_db
def test_corrections_become_training_examples_with_private_data_redacted(
    corrected: None,
) -> None:
    examples = correction_examples()

    assert examples == {
        "complaint": [
            ("My parcel is late", "not_complaint"),
            ("Thanks so much, the new lamp is lovely!", "complaint"),
        ],
        "sentiment": [
            ("My parcel is late", "neutral"),
            ("My card [CARD] was charged twice", "negative"),
        ],
        "topic": [("Thanks so much, the new lamp is lovely!", "pricing")],
    }


@pytest.mark.django_db
def test_the_export_command_writes_json_lines(corrected: None, tmp_path: Path) -> None:
    target = tmp_path / "corrections.jsonl"
    err = StringIO()

    call_command("export_corrections", str(target), stderr=err)

    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == {"task": "complaint", "label": "not_complaint", "text": "My parcel is late"}
    assert len(lines) == 5
    assert err.getvalue() == "5 examples (complaint: 2, sentiment: 2, topic: 1).\n"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_data(tmp_path_factory.mktemp("data"))


def test_extra_examples_train_the_heads_and_mark_the_bundle(tiny: Path, tmp_path: Path) -> None:
    plain = train_models(tiny, tmp_path / "plain", config=FAST, tasks=("sentiment", "complaint"))
    extra = {
        "sentiment": [("the parcel is late again", "negative"), ("lovely lamp", "positive")],
        "complaint": [("my parcel is late", "complaint")],
        "topic": [("lovely lamp", "product_quality")],
    }
    logged: list[str] = []

    manifest = train_models(
        tiny,
        tmp_path / "extra",
        config=FAST,
        tasks=("sentiment", "complaint"),
        extra_examples=extra,
        log=logged.append,
    )

    assert manifest["extra_examples"] == {"complaint": 1, "sentiment": 2}
    assert manifest["version"] == plain["version"] + ".x" + manifest["extra_examples_sha256"][:8]
    assert manifest["n_features"] == plain["n_features"]  # the vocabulary is not touched
    assert "1 extra topic example(s) skipped: no topic model is trained" in logged
    sentiment = json.loads((tmp_path / "extra" / "sentiment.json").read_text(encoding="utf-8"))
    assert sentiment["train_size"] == 60 + 2
    assert "extra_examples" not in plain


def test_topic_corrections_train_the_topic_head_and_new_topics_are_skipped(
    tiny: Path, tmp_path: Path
) -> None:
    extra = {"topic": [("the lamp arrived scratched", "product_quality"), ("hm", "loyalty")]}
    logged: list[str] = []

    manifest = train_models(
        tiny,
        tmp_path,
        config=FAST,
        tasks=("topic",),
        extra_examples=extra,
        log=logged.append,
        topic_sample=tiny_topic_sample(tiny),
    )

    topic = json.loads((tmp_path / "topic.json").read_text(encoding="utf-8"))
    sample_size = len(tiny_topic_sample(tiny).read_text(encoding="utf-8").splitlines()) - 1
    assert topic["train_size"] == sample_size + 1
    assert "1 topic correction(s) skipped: topics the model lacks" in logged
    assert manifest["tasks"] == ["topic"]


def test_an_extra_example_with_an_unknown_label_is_refused(tiny: Path, tmp_path: Path) -> None:
    with pytest.raises(
        TriageError, match=r"extra sentiment examples have unknown labels \['angry'\]"
    ):
        train_models(
            tiny,
            tmp_path,
            config=FAST,
            tasks=("sentiment",),
            extra_examples={"sentiment": [("grr", "angry")]},
        )


@pytest.mark.django_db
def test_train_with_corrections_reads_them_from_the_database(
    corrected: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, Any] = {}

    def fake_train(data: Any, out: Any, **kwargs: Any) -> dict[str, Any]:
        seen.update(kwargs, data=data, out=out)
        return {"version": "test"}

    monkeypatch.setattr(training, "train_models", fake_train)

    code = cli.main(["train", "--with-corrections", "--data", "/d", "--out", "/o"])

    assert code == 0
    assert seen["extra_examples"] == correction_examples()
    assert (seen["data"], seen["out"]) == (Path("/d"), Path("/o"))
    assert "corrections: complaint: 2, sentiment: 2, topic: 1" in capsys.readouterr().err


def test_train_without_the_flag_passes_no_extra_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(
        training, "train_models", lambda *a, **kw: seen.update(kw) or {"version": "test"}
    )

    assert cli.main(["train", "--data", "/d"]) == 0
    assert seen["extra_examples"] is None


def test_the_triage_command_line_stays_free_of_django() -> None:
    code = (
        "import sys; from careline.triage import cli, training; "
        "cli._parser().parse_args(['train', '--with-corrections']); "
        "print('django' in sys.modules)"
    )

    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )

    assert result.stdout.strip() == "False", result.stderr
