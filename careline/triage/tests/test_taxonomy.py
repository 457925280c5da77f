"""The taxonomy's topic rules and the topic model behind them (careline.triage.base contract)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from careline.triage.analysers.taxonomy import TaxonomyTopicAnalyser, clean_keywords
from careline.triage.base import Prediction
from careline.triage.tests.test_contract import TEXTS

TOPICS = [
    ("delivery", ["parcel", "late", "never arrived"]),
    ("refund_return", ["refund", "money back"]),
    ("website_app", ["app", "checkout"]),
]


def analyser() -> TaxonomyTopicAnalyser:
    made = TaxonomyTopicAnalyser(TOPICS)
    made.load()
    return made


def test_it_answers_one_prediction_per_text_in_order_with_name_version_and_reason() -> None:
    topics = analyser()

    results = topics.predict(TEXTS)

    assert [r.label for r in results] == [r.label for r in (topics.predict([t])[0] for t in TEXTS)]
    assert [r.label for r in results][:3] == ["delivery", "other", "other"]
    assert all(r.analyser == "topic" and r.version == topics.version for r in results)
    assert all(r.reason for r in results)


def test_the_topic_with_most_keyword_matches_wins_and_ties_go_to_the_earlier_one() -> None:
    topics = analyser()

    most, tie, phrase = topics.predict(
        [
            "refund please, I want my money back, the parcel was fine",
            "the app says my refund is done",
            "My parcel NEVER\n  arrived",
        ]
    )

    assert (most.label, most.score, most.extras) == (
        "refund_return",
        0.6667,
        {"topics": {"refund_return": 2, "delivery": 1}, "source": "keywords"},
    )
    assert most.reason == "topic taxonomy: keywords 'refund', 'money back'"
    assert (tie.label, tie.score) == ("refund_return", 0.5)
    assert (phrase.label, phrase.reason) == (
        "delivery",
        "topic taxonomy: keywords 'parcel', 'never arrived'",
    )


def test_keywords_are_literal_text_and_odd_case_pairs_do_not_break_it() -> None:
    topics = TaxonomyTopicAnalyser([("odd", ["a.b", "(x", "[y]*", "s"])])

    long_s = "\u017f"  # matches "s" case-insensitively, but lower() keeps it apart
    results = topics.predict(["aXb", "a.b here", f"{long_s} and S", "(x"])

    assert [r.label for r in results] == ["other", "odd", "odd", "odd"]


def test_its_version_follows_the_taxonomy() -> None:
    same = TaxonomyTopicAnalyser(TOPICS).version
    edited = TaxonomyTopicAnalyser([*TOPICS, ("pricing", ["price"])]).version

    assert same == analyser().version
    assert edited != same
    assert same.startswith("taxonomy-")


def test_keywords_are_cleaned() -> None:
    assert clean_keywords("Late,  LATE\n never   arrived ,,") == ["late", "never arrived"]


def _model(probabilities: dict[str, float]) -> Prediction:
    best = max(probabilities, key=lambda slug: probabilities[slug])
    return Prediction(
        "topic",
        "bundle-1",
        best,
        probabilities[best],
        f"topic model p={probabilities[best]:.2f} for {best}; cues: 'still', 'received'",
        {"probabilities": probabilities},
    )


def test_texts_without_a_keyword_take_the_models_topic_when_it_is_sure_enough() -> None:
    topics = analyser()
    sure = _model({"delivery": 0.6, "refund_return": 0.1, "other": 0.3})
    unsure = _model({"delivery": 0.28, "refund_return": 0.27, "website_app": 0.25, "other": 0.2})
    none = _model({"delivery": 0.2, "refund_return": 0.15, "other": 0.65})

    asked: list[list[int]] = []

    def model(rows: Sequence[int]) -> list[Prediction]:
        asked.append(list(rows))
        return [[sure, unsure, none][k] for k, _ in enumerate(rows)]

    keyword, model_says, fallback, neither, short = topics.predict_with_model(
        [
            "my refund please",
            "still not received it",
            "hello there you people",
            "nothing much to say",
            "@shop hi",
        ],
        model,
    )

    assert asked == [[1, 2, 3]]  # once, only for the texts it may decide

    assert (keyword.label, keyword.extras["source"]) == ("refund_return", "keywords")
    assert (model_says.label, model_says.score, model_says.extras) == (
        "delivery",
        0.6,
        {"source": "model"},
    )
    assert model_says.reason == (
        "topic model p=0.60 (no taxonomy keyword); cues: 'still', 'received'"
    )
    assert (fallback.label, fallback.extras["source"]) == ("other", "fallback")
    assert fallback.reason == "topic taxonomy: no topic keyword; topic model below 0.30"
    assert (neither.label, neither.reason) == (
        "other",
        "topic taxonomy: no topic keyword; the topic model's best guess is other (p=0.65)",
    )
    assert (short.label, short.reason) == (
        "other",
        "topic taxonomy: no topic keyword; too few words for the topic model (< 4)",
    )


def test_the_model_only_names_topics_the_taxonomy_has_active() -> None:
    topics = analyser()  # delivery, refund_return, website_app
    inactive_best = _model({"pricing": 0.5, "website_app": 0.35, "other": 0.15})
    only_inactive = _model({"pricing": 0.9, "other": 0.1})

    texts = ["nothing to say here", "nothing to say here"]
    second, none = topics.predict_with_model(texts, lambda _: [inactive_best, only_inactive])

    assert (second.label, second.score) == ("website_app", 0.35)
    assert none.label == "other"


def test_model_predictions_must_match_the_texts_and_the_threshold_is_in_the_version() -> None:
    with pytest.raises(ValueError, match="1 model predictions for 2 texts"):
        analyser().predict_with_model(
            ["one two three four", "five six seven eight"], lambda _: [_model({"other": 1.0})]
        )
    assert TaxonomyTopicAnalyser(TOPICS, model_threshold=0.6).version != analyser().version
    assert analyser().predict_with_model([], lambda _: []) == []

    def never(rows: Sequence[int]) -> list[Prediction]:
        raise AssertionError("the model is not needed when every text has a keyword")

    assert analyser().predict_with_model(["my parcel"], never)[0].label == "delivery"
