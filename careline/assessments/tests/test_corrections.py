"""Corrections: recorded for ever, applied to the assessment and the case, refused cleanly."""

from __future__ import annotations

import pytest

from careline.accounts.models import User
from careline.assessments.models import Correction, Topic
from careline.assessments.services import correct_assessment, create_topic, update_topic
from careline.assessments.tests.conftest import assessment_of, case_of, ingest_and_assess
from careline.cases.models import AppendOnlyError, CaseEvent, EventKind
from careline.cases.services import CaseActionError
from careline.inbox.models import Channel, Message
from conftest import item

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(generic_channel: Channel) -> Message:
    ingest_and_assess(generic_channel, [item("p1", text="My parcel is late")])
    return Message.objects.get(external_id="p1")


def state(message: Message) -> tuple[object, ...]:
    found = assessment_of(str(message.external_id))
    case = case_of(str(message.external_id))
    return (
        found.kind,
        found.sentiment,
        found.topic,
        found.kind_score,
        found.reasons,
        found.corrected_at,
        case.triage_kind,
        case.triage_topic,
        Correction.objects.count(),
        CaseEvent.objects.filter(kind=EventKind.TRIAGE_CORRECTED).count(),
    )


def test_a_correction_is_recorded_and_applied_to_the_message_and_its_case(
    late: Message, agent: User
) -> None:
    corrections = correct_assessment(
        late, actor=agent, kind="question", sentiment="negative", topic="customer_service"
    )

    assert [(c.field, c.old_value, c.new_value, c.actor) for c in corrections] == [
        ("kind", "complaint", "question", agent),
        ("topic", "delivery", "customer_service", agent),
    ]
    found = assessment_of("p1")
    assert (found.kind, found.kind_score, found.topic, found.topic_score) == (
        "question",
        1.0,
        "customer_service",
        1.0,
    )
    assert found.reasons[:2] == [
        "kind=question: corrected by alice (was complaint)",
        "topic=customer_service: corrected by alice (was delivery)",
    ]
    assert found.corrected_at is not None
    case = case_of("p1")
    assert (case.triage_kind, case.triage_topic) == ("question", "customer_service")
    event = CaseEvent.objects.get(kind=EventKind.TRIAGE_CORRECTED)
    assert (event.actor, event.conversation_id, event.data) == (
        agent,
        case.pk,
        {"message": "p1", "kind": "complaint → question", "topic": "delivery → customer_service"},
    )


def test_correcting_to_the_values_shown_is_refused_and_changes_nothing(
    late: Message, agent: User
) -> None:
    before = state(late)

    with pytest.raises(CaseActionError, match="nothing to correct"):
        correct_assessment(late, actor=agent, kind="complaint", sentiment="negative")

    assert state(late) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "rant"}, "unknown kind 'rant'"),
        ({"sentiment": "furious"}, "unknown sentiment 'furious'"),
        ({"topic": "no_such_topic"}, "unknown or inactive topic 'no_such_topic'"),
    ],
)
def test_an_unknown_value_is_refused_and_changes_nothing(
    late: Message, agent: User, change: dict[str, str], message: str
) -> None:
    before = state(late)

    with pytest.raises(CaseActionError, match=message):
        correct_assessment(late, actor=agent, **change)

    assert state(late) == before


def test_an_inactive_topic_cannot_be_chosen(late: Message, agent: User) -> None:
    Topic.objects.filter(slug="pricing").update(active=False)
    before = state(late)

    with pytest.raises(CaseActionError, match="inactive topic 'pricing'"):
        correct_assessment(late, actor=agent, topic="pricing")

    assert state(late) == before


def test_a_message_without_triage_cannot_be_corrected(
    settings: object, generic_channel: Channel, agent: User
) -> None:
    from careline.ingestion.services import ingest_items

    settings.CARELINE_TRIAGE_ON_INGEST = False  # type: ignore[attr-defined]
    ingest_items(generic_channel, [item("p1")])

    with pytest.raises(CaseActionError, match="no triage result"):
        correct_assessment(Message.objects.get(), actor=agent, kind="question")

    assert Correction.objects.count() == 0


def test_corrections_are_append_only(late: Message, agent: User) -> None:
    (correction,) = correct_assessment(late, actor=agent, kind="question")

    with pytest.raises(AppendOnlyError):
        correction.save()
    with pytest.raises(AppendOnlyError):
        correction.delete()

    assert Correction.objects.get().new_value == "question"


def test_agents_cannot_edit_the_taxonomy_and_nothing_changes(agent: User) -> None:
    from django.core.exceptions import PermissionDenied

    before = list(Topic.objects.order_by("slug").values())

    with pytest.raises(PermissionDenied):
        create_topic(actor=agent, slug="x", name="X", keywords="x")
    with pytest.raises(PermissionDenied):
        update_topic(
            Topic.objects.get(slug="pricing"),
            actor=agent,
            name="Prices",
            keywords="",
            ordering=1,
            active=False,
        )

    assert list(Topic.objects.order_by("slug").values()) == before


def test_keywords_are_cleaned_when_saved(supervisor: User) -> None:
    topic = create_topic(
        actor=supervisor,
        slug="gifts",
        name=" Gifts ",
        keywords="Gift Card,  gift   card\nvoucher\n\n" + "x" * 61,
    )

    assert (topic.name, topic.keywords, topic.active) == ("Gifts", "gift card\nvoucher", True)
