"""The learned phrase model: loading, training, refusing held-out sets, findings in the guard."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from careline.replies.tone import check_reply, learned
from careline.replies.tone.cli import main as tone_main
from careline.replies.tone.model import Finding, ReplyContext
from careline.replies.tone.training import default_data, is_held_out, train

COMPLAINT = {
    "kind": "complaint",
    "platform": "x",
    "public": True,
    "customer_name": "Sam",
    "customer_text": "My parcel arrived late and the box was crushed.",
}

_SARCASTIC = [
    "Oh wow, a late parcel, what a shocking twist. Truly the end of the world.",
    "Wow, shocking, a courier running late. Whatever would we do without your updates.",
    "What a tragedy. A box with a dent. Truly heartbreaking stuff, Sam.",
    "Oh no, not a crushed box, how will you ever survive this tragedy.",
]
_BLAMING = [
    "You chose the cheapest delivery, so the delay is down to your choice.",
    "The box was fine when it left; you must have left it outside in the rain.",
    "If you had read the delivery notes you would know this was your choice.",
    "That happens when customers pick the cheapest delivery option, so it is your choice.",
]
_GOOD = [
    "So sorry your parcel was late and arrived crushed, Sam. Could you DM us a photo?",
    "Sorry about the crushed box, Sam, that's not how it should arrive. DM us your order?",
    "That's not the delivery we want for you, Sam. Sorry! Send us a photo and we'll help.",
    "Really sorry Sam, a late and crushed parcel is no good. DM us and we'll sort it.",
]


def _write(path: Path, prefix: str) -> Path:
    lines: list[dict[str, object]] = []
    groups = [(_SARCASTIC, ["sarcasm"]), (_BLAMING, ["blaming"]), (_GOOD, [])]
    for texts, categories in groups:
        for number, text in enumerate(texts):
            lines.append(
                {
                    "id": f"{prefix}{len(lines)}",
                    "split": "train",
                    "label": "bad" if categories else "good",
                    "categories": categories,
                    "text": text if number % 2 else f"{text} ({prefix})",
                    "context": COMPLAINT,
                }
            )
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def tiny_data(tmp_path: Path) -> list[Path]:
    return [_write(tmp_path / "one.jsonl", "a"), _write(tmp_path / "two.jsonl", "b")]


def _arrays(directory: Path) -> dict[str, np.ndarray]:
    with np.load(directory / learned.ARRAYS_FILE, allow_pickle=False) as arrays:
        return {name: arrays[name] for name in arrays.files}


def test_retraining_on_the_same_data_gives_the_same_model(
    tiny_data: list[Path], tmp_path: Path
) -> None:
    first = train(tiny_data, tmp_path / "m1")
    second = train(tiny_data, tmp_path / "m2")
    assert first == second
    one, two = _arrays(tmp_path / "m1"), _arrays(tmp_path / "m2")
    assert sorted(one) == sorted(two) == ["bias", "idf", "vocabulary_utf8", "weights"]
    for name in one:
        np.testing.assert_array_equal(one[name], two[name])
    card = json.loads((tmp_path / "m1" / learned.CARD_FILE).read_text())
    assert [d["replies"] for d in card["data"]] == [12, 12]
    assert all(len(d["sha256"]) == 64 for d in card["data"])
    assert set(card["leave_one_source_out"]["per_source"]) == {"one", "two"}


def test_a_trained_model_loads_and_scores(tiny_data: list[Path], tmp_path: Path) -> None:
    train(tiny_data, tmp_path / "m")
    model = learned.PhraseModel.load(tmp_path / "m")
    vocabulary = model.vocabulary[: model.n_text]
    assert vocabulary == sorted(vocabulary)
    p = model.probabilities(_BLAMING[0], ReplyContext.from_dict(COMPLAINT))
    assert set(p) == set(model.categories)
    assert all(0.0 <= v <= 1.0 for v in p.values())


@pytest.mark.parametrize("name", ["blind2.jsonl", "blind3.jsonl", "blind2-dev.jsonl"])
def test_held_out_sets_are_refused(tiny_data: list[Path], tmp_path: Path, name: str) -> None:
    held_out = tmp_path / name
    held_out.write_text(tiny_data[0].read_text())
    with pytest.raises(ValueError, match="held-out measurement set"):
        train([tiny_data[1], held_out], tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_held_out_sets_are_refused_behind_a_link(tiny_data: list[Path], tmp_path: Path) -> None:
    held_out = tmp_path / "blind3.jsonl"
    held_out.write_text(tiny_data[0].read_text())
    link = tmp_path / "innocent.jsonl"
    link.symlink_to(held_out)
    assert is_held_out(link)


def test_default_data_never_includes_held_out_sets() -> None:
    paths = default_data()
    assert paths
    assert not any(p.name.startswith(("blind2", "blind3")) for p in paths)
    assert {p.name for p in paths} >= {"replies.jsonl", "blind.jsonl"}


def test_cli_trains_and_refuses(
    tiny_data: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "model"
    args = ["train-tone", "--data", *map(str, tiny_data), "--out", str(out)]
    assert tone_main(args) == 0
    printed = capsys.readouterr().out
    assert "leave-one-source-out: bad flagged" in printed
    assert "sarcasm" in printed
    assert (out / learned.ARRAYS_FILE).exists()
    assert (out / learned.CARD_FILE).exists()

    blind3 = tmp_path / "blind3.jsonl"
    blind3.write_text(tiny_data[0].read_text())
    assert tone_main(["train-tone", "--data", str(blind3), "--out", str(out)]) == 2
    assert "blind3.jsonl is a held-out measurement set" in capsys.readouterr().err


# --- the shipped model in the guard ---------------------------------------------------------

shipped = pytest.mark.skipif(
    learned.shipped_model() is None, reason="no trained model in careline/replies/tone/models"
)


def _learned_findings(text: str, **context: object) -> list[Finding]:
    report = check_reply(text, ReplyContext.from_dict({**COMPLAINT, **context}))
    return [f for f in report.findings if "learned model" in f.message]


@shipped
def test_the_shipped_model_loads_once() -> None:
    model = learned.shipped_model()
    assert model is learned.shipped_model()
    assert model is not None
    assert model.categories
    assert all(0.0 < t < 1.0 for t in model.thresholds)
    assert "leave_one_source_out" in model.card


@shipped
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Wow Sam, a whole day late. However did you cope? We'll light a candle.", "sarcasm"),
        (
            "Sam, the address on the order was missing a flat number, which is why it went astray.",
            "blaming",
        ),
    ],
)
def test_a_learned_finding_has_a_span_and_a_reason(text: str, category: str) -> None:
    findings = [f for f in _learned_findings(text) if f.category == category]
    assert len(findings) == 1
    finding = findings[0]
    assert 0 <= finding.start < finding.end <= len(text)
    assert text[finding.start : finding.end].strip() == text[finding.start : finding.end]
    assert finding.message.startswith("Reads as ")
    assert "(learned model, p=0." in finding.message
    assert "cues: '" in finding.message
    assert finding.severity == "warning"  # a model's guess never holds a reply
    assert finding.suggestion


@shipped
def test_a_warm_good_reply_gets_no_learned_finding() -> None:
    text = (
        "So sorry your parcel turned up late and squashed, Sam, that's really not good "
        "enough. Could you DM us a photo and your order number so we can put it right?"
    )
    assert _learned_findings(text) == []
    assert check_reply(text, ReplyContext.from_dict(COMPLAINT)).ok


@shipped
def test_an_admission_is_fine_once_the_cause_is_verified() -> None:
    text = "Sam, our warehouse packed it badly, that one is on us and we're sorry."
    facts = {"cause_verified": True, "cause": "packing"}
    assert [f for f in _learned_findings(text, facts=facts) if f.category == "admits_fault"] == []


def test_without_a_model_the_guard_is_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Wow Sam, a whole day late. However did you cope? We'll light a candle."
    context = ReplyContext.from_dict(COMPLAINT)
    if learned.shipped_model() is not None:
        assert check_reply(text, context) != check_reply(text, context, use_model=False)
    monkeypatch.setattr(learned, "shipped_model", lambda: None)
    assert check_reply(text, context) == check_reply(text, context, use_model=False)


def test_a_missing_model_directory_means_no_model(tmp_path: Path) -> None:
    assert learned.shipped_model(tmp_path / "nowhere") is None


def test_a_broken_model_is_not_used(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / learned.CARD_FILE).write_text('{"format": 99}')
    assert learned.shipped_model(tmp_path) is None
    assert "learned model not used" in caplog.text
    learned.forget_loaded()


def test_hostile_input_is_bounded(tmp_path: Path) -> None:
    tokens = learned.tokenize("ab " * 50_000)
    assert tokens[-1].end <= learned.MAX_CHARS
    assert learned.extract_terms(learned.tokenize("x" * 5000))  # one long token, capped


@pytest.mark.parametrize(("value", "verified"), [(True, True), ("yes", True), ("pending", False)])
def test_the_model_reads_cause_verified_as_the_rules_do(value: object, verified: bool) -> None:
    # One reading of the facts: a "pending" cause is not verified for the rules nor the model.
    context = ReplyContext(kind="complaint", public=True, facts={"cause_verified": value})
    assert learned.applies("admits_fault", context) is not verified
