"""assess_messages: one assessment per inbound message, stored fast, with reasons and versions;
the case's triage summary; the taxonomy; failure isolation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careline.accounts.models import User
from careline.assessments import services
from careline.assessments.models import Assessment, Topic
from careline.assessments.services import (
    assess_messages,
    create_topic,
    severity_points,
    summarise,
)
from careline.assessments.tests.conftest import assessment_of, case_of, ingest_and_assess
from careline.cases.models import Conversation
from careline.inbox.models import Channel, Message
from careline.ingestion.services import ingest_items
from careline.replies.services import queue_reply
from careline.triage.analysers.taxonomy import SEED_TOPICS, TaxonomyTopicAnalyser
from careline.triage.linear import MODEL_DIR, read_manifest
from careline.triage.pipeline import TriagePipeline
from conftest import T0, item

pytestmark = pytest.mark.django_db

MODEL_VERSION = read_manifest(MODEL_DIR)["version"]


def test_each_inbound_message_gets_one_assessment_with_its_reasons_and_versions(
    settings: Any, generic_channel: Channel
) -> None:
    settings.CARELINE_TRIAGE_ON_INGEST = False  # stored untriaged, to triage them here
    result = ingest_items(
        generic_channel,
        [
            item("late", author="u1", text="My parcel is late"),
            item("thanks", author="u2", text="Thanks so much, the new lamp is lovely!"),
            item(
                "fraud",
                author="u3",
                text="I was charged twice, this is fraud, I will call my lawyer",
            ),
        ],
    )
    settings.CARELINE_TRIAGE_ON_INGEST = True

    stored = assess_messages(result.message_ids)

    assert stored == 3
    assert Assessment.objects.count() == 3
    late, thanks, fraud = (assessment_of(x) for x in ("late", "thanks", "fraud"))
    assert (late.kind, late.severity_label, late.severity, late.sentiment, late.topic) == (
        "complaint",
        "medium",
        42,
        "negative",
        "delivery",
    )
    assert (thanks.kind, thanks.severity_label, thanks.sentiment) == (
        "compliment",
        "low",
        "positive",
    )
    # No taxonomy keyword: the topic model decides (or "other" when it is unsure).
    (topic_reason,) = [r for r in thanks.reasons if r.startswith("topic=")]
    assert topic_reason.startswith(f"topic={thanks.topic}: topic model p=") or (
        topic_reason.startswith("topic=other: topic taxonomy: no topic keyword; topic model")
    )
    assert (fraud.kind, fraud.severity_label, fraud.severity, fraud.topic) == (
        "complaint",
        "critical",
        98,
        "payment_billing",
    )
    assert late.reasons[0].startswith("kind=complaint: complaint model p=")
    assert late.reasons[6] == "severity=medium 42/100 (rules): complaint"
    assert late.reasons[7] == "topic=delivery: topic taxonomy: keywords 'parcel', 'late'"
    assert late.reasons[-2:] == [
        "legitimacy=legitimate (score 1.00): no strong sign of a fake",
        "legitimacy evidence [spam_rules, 0.00]: pipeline: spam rules: 0 promo phrase(s), "
        "0 link(s), 0 hashtag(s)",
    ]
    assert fraud.reasons[6] == (
        "severity=critical 98/100 (rules): safety/legal/fraud words: fraud, lawyer"
    )
    assert late.versions == {
        "complaint": MODEL_VERSION,
        "sentiment": MODEL_VERSION,
        "emotion": MODEL_VERSION,
        "irony": MODEL_VERSION,
        "offensive": MODEL_VERSION,
        "hate": MODEL_VERSION,
        "private_data": "1.0.0",
        "profanity": "1.0.0",
        "topic": TaxonomyTopicAnalyser(services.active_taxonomy()).version,
        "topic_model": MODEL_VERSION,
        "spam": "1.0.0",
        "legitimacy": services.LEGITIMACY_VERSION,
    }
    assert late.tier == "default"
    assert (late.legitimacy, late.legitimacy_score) == ("legitimate", 1.0)


def test_flags_store_the_probability_of_the_flag(generic_channel: Channel) -> None:
    text = "Thanks so much, the new lamp is lovely!"
    ingest_and_assess(generic_channel, [item("p", text=text)])
    (out,) = services.triage_items([{"id": 1, "text": text}])

    found = assessment_of("p")

    # The heads say irony, not-offensive, not-hate: the stored scores are p(flag) all three.
    assert (out["irony"], out["offensive"], out["hate"]) == ("irony", "not-offensive", "not-hate")
    assert (found.irony, found.irony_score) == (True, out["irony_score"])
    assert (found.offensive, found.offensive_score) == (False, round(1 - out["offensive_score"], 4))
    assert (found.hate, found.hate_score) == (False, round(1 - out["hate_score"], 4))


def test_private_data_is_stored_as_spans_with_a_redacted_text(generic_channel: Channel) -> None:
    ingest_and_assess(
        generic_channel, [item("card", text="My card 4111 1111 1111 1111 was charged twice")]
    )

    found = assessment_of("card")

    assert found.private_data == [{"type": "card", "start": 8, "end": 27}]
    assert found.has_private_data is True
    assert found.redacted == "My card [CARD] was charged twice"
    assert (found.severity_label, found.severity) == ("critical", 100)


def test_outbound_messages_and_assessed_ones_are_skipped(
    generic_channel: Channel, agent: User
) -> None:
    result = ingest_and_assess(generic_channel, [item("p1", text="My parcel is late")])
    case = Conversation.objects.get()
    queue_reply(case, text="Sorry, we are on it", public=True, actor=agent)
    everything = list(Message.objects.values_list("pk", flat=True))

    again = assess_messages(everything)

    assert again == 0
    assert list(Assessment.objects.values_list("message_id", flat=True)) == result.message_ids


def test_nothing_is_assessed_when_triage_on_ingest_is_off_unless_forced(
    settings: Any, generic_channel: Channel
) -> None:
    settings.CARELINE_TRIAGE_ON_INGEST = False
    result = ingest_items(generic_channel, [item("p1", text="My parcel is late")])

    assert assess_messages(result.message_ids) == 0
    assert Assessment.objects.count() == 0
    assert assess_messages(result.message_ids, force=True) == 1


def test_assess_missing_backfills_messages_stored_without_triage(
    settings: Any, generic_channel: Channel
) -> None:
    settings.CARELINE_TRIAGE_ON_INGEST = False
    ingest_items(generic_channel, [item(f"p{n}", author=f"u{n}") for n in range(5)])

    stored = services.assess_missing(batch=2)

    assert stored == 5
    assert Assessment.objects.count() == 5


def test_a_failing_item_gets_an_error_assessment_and_the_rest_of_the_batch_is_triaged(
    generic_channel: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = TaxonomyTopicAnalyser._combine

    def fragile(self: TaxonomyTopicAnalyser, texts: Sequence[str], model: Any) -> Any:
        if any("BOOM" in t for t in texts):
            raise RuntimeError("topic rules broke")
        return real(self, texts, model)

    monkeypatch.setattr(TaxonomyTopicAnalyser, "_combine", fragile)

    result = ingest_and_assess(
        generic_channel,
        [item("ok", author="u1", text="My parcel is late"), item("bad", author="u2", text="BOOM")],
    )

    assert len(result.message_ids) == 2
    good, bad = assessment_of("ok"), assessment_of("bad")
    assert (good.kind, good.topic) == ("complaint", "delivery")
    assert (bad.kind, bad.sentiment, bad.topic, bad.severity, bad.severity_label) == (
        "",
        "",
        "",
        0,
        "",
    )
    assert bad.reasons[0] == "error: RuntimeError: topic rules broke"
    assert case_of("bad").triage_kind == ""
    assert case_of("bad").triaged_at is not None


def test_assessing_costs_the_same_queries_for_one_message_or_many(
    settings: Any, generic_channel: Channel
) -> None:
    settings.CARELINE_TRIAGE_ON_INGEST = False  # stored untriaged, to triage them here
    one = ingest_items(generic_channel, [item("solo", author="solo", text="Where is my order?")])
    many = ingest_items(
        generic_channel,
        [
            item(f"m{n}", author=f"a{n}", text=f"My parcel {n} is late", minutes=n)
            for n in range(40)
        ],
    )

    with CaptureQueriesContext(connection) as single:
        assess_messages(one.message_ids, force=True)
    with CaptureQueriesContext(connection) as forty:
        assess_messages(many.message_ids, force=True)

    assert Assessment.objects.count() == 41
    assert len(forty) == len(single)


def test_the_pipeline_is_loaded_once_per_process(generic_channel: Channel) -> None:
    ingest_and_assess(generic_channel, [item("a", author="u1")])
    first = services._pipeline

    ingest_and_assess(generic_channel, [item("b", author="u2")])

    assert first is not None
    assert services._pipeline is first


def test_a_taxonomy_edit_applies_from_the_next_batch(
    generic_channel: Channel, supervisor: User
) -> None:
    ingest_and_assess(generic_channel, [item("before", author="u1", text="Is my gift card valid?")])
    create_topic(
        actor=supervisor, slug="gift_cards", name="Gift cards", keywords="gift card\nvoucher"
    )

    ingest_and_assess(generic_channel, [item("after", author="u2", text="Is my gift card valid?")])

    before, after = assessment_of("before"), assessment_of("after")
    assert (before.topic, after.topic) == ("other", "gift_cards")
    assert after.reasons[7] == "topic=gift_cards: topic taxonomy: keywords 'gift card'"
    assert before.versions["topic"] != after.versions["topic"]


def test_an_inactive_topic_is_not_chosen(generic_channel: Channel) -> None:
    Topic.objects.filter(slug="delivery").update(active=False)

    ingest_and_assess(generic_channel, [item("p", text="My parcel is late")])

    assert assessment_of("p").topic == "other"


def test_without_a_taxonomy_the_pipeline_uses_the_seed_one_and_the_topic_model() -> None:
    pipeline = TriagePipeline()

    out = pipeline.run([{"id": 1, "text": "Where is my parcel? Ordered two weeks ago"}])

    assert pipeline.topic.version == TaxonomyTopicAnalyser(SEED_TOPICS).version
    assert pipeline.versions["topic_model"] == pipeline.versions["complaint"]
    assert out[0]["topic"] == "delivery"
    assert any(
        r.startswith("topic=delivery: topic taxonomy: keywords 'parcel'") for r in out[0]["reasons"]
    )


# --- the case's summary --------------------------------------------------------------------


def test_the_case_summary_takes_the_worst_severity_the_latest_sentiment_and_any_private_data(
    generic_channel: Channel,
) -> None:
    ingest_and_assess(
        generic_channel,
        [
            item("p1", text="I was charged twice, this is fraud, I will call my lawyer"),
            item("r1", reply_to="p1", minutes=5, text="Thanks so much, the new lamp is lovely!"),
            item("r2", reply_to="r1", minutes=9, text="Email me at jo@example.com please"),
        ],
    )

    case = case_of("p1")

    assert case.message_count == 3
    assert (
        case.triage_kind,
        case.triage_severity,
        case.triage_topic,
        case.triage_sentiment,
        case.triage_has_private_data,
        case.triage_legitimacy,
    ) == ("complaint", 98, "payment_billing", assessment_of("r2").sentiment, True, "legitimate")
    assert case.triaged_at is not None


def test_a_later_batch_updates_the_summary_of_an_existing_case(generic_channel: Channel) -> None:
    ingest_and_assess(generic_channel, [item("p1", text="Where is my order?")])
    assert case_of("p1").triage_severity == 37

    ingest_and_assess(
        generic_channel,
        [
            item(
                "r1", reply_to="p1", minutes=3, text="My card 4111 1111 1111 1111 was charged twice"
            )
        ],
    )

    case = case_of("p1")
    assert (case.triage_severity, case.triage_topic, case.triage_has_private_data) == (
        100,
        "payment_billing",
        True,
    )


def test_a_new_case_is_inserted_with_its_summary_not_rewritten(
    generic_channel: Channel,
) -> None:
    items = [
        item("p1", author="kim", text="I was charged twice, this is fraud, I will call my lawyer"),
        item("r1", author="kim", reply_to="p1", minutes=5, text="Email me at jo@example.com"),
        item("p2", author="lee", text="Thanks so much, the new lamp is lovely!"),
        item("p3", author="kim", text="And my parcel never arrived either", minutes=7),
    ]
    with (
        time_machine.travel(T0 + timedelta(hours=1), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        ingest_and_assess(generic_channel, items)

    summary_updates = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("UPDATE") and "triage_kind" in q["sql"].split("WHERE")[0]
    ]
    assert summary_updates == []  # written with the insert of the new cases
    stored = list(Conversation.objects.order_by("pk").values_list(*services.SUMMARY_FIELDS))
    # What refreshing the summaries of the stored cases writes: the same values.
    Conversation.objects.update(triage_kind="", triage_severity=0, triaged_at=None)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        services.refresh_summaries(Conversation.objects.values_list("pk", flat=True))
    refreshed = list(Conversation.objects.order_by("pk").values_list(*services.SUMMARY_FIELDS))
    assert refreshed == stored
    assert [row[0] for row in stored] == ["complaint", "compliment", "complaint"]
    assert all(row[-1] is not None for row in stored)  # triaged_at


def test_a_new_case_without_triage_is_inserted_with_the_columns_defaults(
    settings: Any, generic_channel: Channel
) -> None:
    settings.CARELINE_TRIAGE_ON_INGEST = False

    ingest_items(generic_channel, [item("p1", text="Where is my order?")])

    case = case_of("p1")
    assert [getattr(case, name) for name in services.SUMMARY_FIELDS] == [
        "",
        0,
        "",
        "",
        False,
        "",
        "",
        None,
    ]


def test_summarise_prefers_the_latest_of_equally_severe_messages() -> None:
    rows = [
        (1, 10, 50, "complaint", "delivery", "negative", False, "legitimate"),
        (2, 11, 50, "question", "pricing", "neutral", False, "verified"),
        (3, 12, 10, "compliment", "other", "positive", False, "legitimate"),
    ]

    assert summarise(rows) == {
        "kind": "question",
        "severity": 50,
        "sentiment": "positive",
        "topic": "pricing",
        "private": False,
        "legitimacy": "verified",
    }


@pytest.mark.parametrize(
    ("label", "score", "points"),
    [
        ("low", 1.0, 0),
        ("low", 0.5, 12),
        ("low", 0.0, 24),
        ("medium", 0.5, 37),
        ("medium", 1.0, 49),
        ("high", 0.7, 67),
        ("high", 1.0, 74),
        ("critical", 0.9, 98),
        ("critical", 1.0, 100),
        (None, None, 0),
        ("unknown", 0.5, 0),
    ],
)
def test_severity_points_map_each_label_to_its_band(
    label: str | None, score: float | None, points: int
) -> None:
    assert severity_points(label, score) == points
