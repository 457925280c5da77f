"""The labelled set and the targets the guard must keep meeting (docs/tone-guard.md)."""

from __future__ import annotations

from collections import Counter

import pytest

from careline.replies.tone.evaluation import DEFAULT_DATA, Example, evaluate, load

BLIND = DEFAULT_DATA.parent / "blind.jsonl"


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    return load()


def test_the_labelled_set_is_big_balanced_and_split(examples: list[Example]) -> None:
    assert len(examples) >= 300
    labels = Counter(e.bad for e in examples)
    assert 0.4 <= labels[True] / len(examples) <= 0.6
    splits = Counter(e.split for e in examples)
    assert set(splits) == {"dev", "test"}
    assert splits["test"] >= 100
    assert len({e.id for e in examples}) == len(examples)
    covered = Counter(c for e in examples for c in e.categories)
    assert min(covered.values()) >= 8
    assert len(covered) == 15
    assert {e.context.platform for e in examples} >= {
        "x",
        "facebook",
        "instagram",
        "messenger",
        "mastodon",
        "bluesky",
    }
    assert {e.context.public for e in examples} == {True, False}


def test_the_guard_meets_its_targets_on_the_dev_split(examples: list[Example]) -> None:
    result = evaluate(examples, split="dev")
    assert result.bad_flagged_rate >= 0.90
    assert result.good_flagged_rate <= 0.10


def test_the_guard_meets_its_targets_on_the_test_split(examples: list[Example]) -> None:
    result = evaluate(examples, split="test")
    assert result.bad_flagged_rate >= 0.90
    assert result.good_flagged_rate <= 0.10


@pytest.mark.parametrize("split", ["blind-dev", "blind-test"])
def test_the_guard_keeps_its_targets_on_the_blind_set(split: str) -> None:
    # Written by someone who had not seen the rules; both halves have since informed them,
    # so this guards against regressions, and docs/tone-guard.md gives the figures before.
    result = evaluate(load(BLIND), split=split)
    assert result.bad_flagged_rate >= 0.90
    assert result.good_flagged_rate <= 0.10
