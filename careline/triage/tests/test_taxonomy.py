"""The taxonomy's topic rules keep the analyser contract (careline.triage.base)."""

from __future__ import annotations

from careline.assessments.topic_rules import TaxonomyTopicAnalyser, clean_keywords
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
        {"topics": {"refund_return": 2, "delivery": 1}},
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
