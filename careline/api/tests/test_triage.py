"""Triage in the API: the case summary and each message's triage, the filters, the severity
order, and corrections with their role matrix."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from careline.accounts.models import Team, User
from careline.assessments.models import Assessment, Correction
from careline.assessments.tests.conftest import ingest_and_assess
from careline.cases.models import Conversation
from careline.inbox.models import Channel, Message
from careline.replies.services import queue_reply
from conftest import item

from .support import NOW_JSON, get, post, snapshot

pytestmark = pytest.mark.django_db

TEXTS = {
    "fraud": "I was charged twice, this is fraud, I will call my lawyer",
    "card": "My card 4111 1111 1111 1111 was charged twice",
    "thanks": "Thanks so much, the new lamp is lovely!",
    "spam": "Buy cheap followers now at http://spam.example click here giveaway",
    "late": "My parcel is late",
}


@pytest.fixture
def triaged(generic_channel: Channel, team_a: Team) -> dict[str, int]:
    ingest_and_assess(
        generic_channel,
        [
            item(name, author=f"u-{name}", text=text, minutes=n)
            for n, (name, text) in enumerate(TEXTS.items(), start=1)
        ],
    )
    Conversation.objects.update(team=team_a)
    return {str(m.external_id): m.conversation_id for m in Message.objects.all()}


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [c["id"] for c in response.json()["items"]]


def test_a_case_carries_its_triage_summary(
    client: Client, triaged: dict[str, int], agent: User
) -> None:
    body = get(client, f"/conversations/{triaged['card']}", agent).json()

    assert body["triage"] == {
        "kind": "complaint",
        "severity": 100,
        "severity_context": "",
        "sentiment": "neutral",
        "topic": "payment_billing",
        "has_private_data": True,
        "legitimacy": "legitimate",
        "triaged_at": NOW_JSON,
    }


def test_a_message_carries_its_triage_with_reasons_versions_and_redaction(
    client: Client, triaged: dict[str, int], agent: User
) -> None:
    body = get(client, f"/conversations/{triaged['card']}/messages", agent).json()

    stored = Assessment.objects.get(message__external_id="card")
    triage = body["items"][0]["triage"]
    assert triage == {
        "kind": "complaint",
        "kind_score": stored.kind_score,
        "sentiment": "neutral",
        "sentiment_score": stored.sentiment_score,
        "emotion": stored.emotion,
        "emotion_score": stored.emotion_score,
        "irony": stored.irony,
        "irony_score": stored.irony_score,
        "offensive": False,
        "offensive_score": stored.offensive_score,
        "hate": False,
        "hate_score": stored.hate_score,
        "severity": 100,
        "severity_label": "critical",
        "topic": "payment_billing",
        "topic_score": stored.topic_score,
        "private_data": [{"type": "card", "start": 8, "end": 27}],
        "redacted": "My card [CARD] was charged twice",
        "legitimacy": "legitimate",
        "legitimacy_score": 1.0,
        "evidence": [
            {
                "rule": "spam_rules",
                "weight": 0.0,
                "reason": "pipeline: spam rules: 0 promo phrase(s), 0 link(s), 0 hashtag(s)",
                "verifies": False,
            }
        ],
        "reasons": stored.reasons,
        "versions": stored.versions,
        "tier": "default",
        "created_at": NOW_JSON,
        "corrected_at": None,
        "corrections": [],
    }
    assert triage["reasons"][6] == (
        "severity=critical 100/100 (rules): exposed card in a public message"
    )


def test_replies_have_no_triage(client: Client, triaged: dict[str, int], agent: User) -> None:
    case = Conversation.objects.get(pk=triaged["late"])
    queue_reply(case, text="On it", public=True, actor=agent)

    items = get(client, f"/conversations/{case.pk}/messages", agent).json()["items"]

    assert [(m["direction"], m["triage"] is None) for m in items] == [("in", False), ("out", True)]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "complaint"}, ["late", "card", "fraud"]),
        ({"severity_min": 75}, ["card", "fraud"]),
        ({"sentiment": "positive"}, ["thanks"]),
        ({"topic": "delivery"}, ["late"]),
        ({"private_data": "true"}, ["card"]),
        ({"private_data": "false"}, ["late", "spam", "thanks", "fraud"]),
        ({"legitimacy": "suspicious"}, ["spam"]),
        ({"order": "severity"}, ["card", "fraud", "late", "spam", "thanks"]),
        ({"order": "severity", "kind": "complaint", "severity_min": 50}, ["card", "fraud"]),
    ],
)
def test_each_triage_filter_and_the_severity_order(
    client: Client,
    triaged: dict[str, int],
    agent: User,
    params: dict[str, Any],
    expected: list[str],
) -> None:
    ordered = {"order": "recent", **params}  # newest first unless the test sorts
    assert ids(get(client, "/conversations", agent, **ordered)) == [triaged[n] for n in expected]


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"kind": "rant"}, ["query", "kind"]),
        ({"severity_min": 101}, ["query", "severity_min"]),
        ({"legitimacy": "fake"}, ["query", "legitimacy"]),
    ],
)
def test_an_invalid_triage_filter_is_a_422(
    client: Client,
    triaged: dict[str, int],
    agent: User,
    params: dict[str, Any],
    location: list[str],
) -> None:
    response = get(client, "/conversations", agent, **params)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == location


# --- corrections ---------------------------------------------------------------------------


def message_id(external_id: str) -> int:
    return Message.objects.get(external_id=external_id).pk


def full_snapshot() -> dict[str, Any]:
    return {
        **snapshot(),
        "assessments": list(
            Assessment.objects.order_by("pk").values_list("kind", "sentiment", "topic", "reasons")
        ),
        "summaries": list(
            Conversation.objects.order_by("pk").values_list("triage_kind", "triage_topic")
        ),
        "corrections": Correction.objects.count(),
    }


@pytest.mark.parametrize("persona", ["agent", "supervisor", "admin_user"])
def test_a_correction_answers_201_with_the_corrected_triage(
    client: Client, triaged: dict[str, int], request: pytest.FixtureRequest, persona: str
) -> None:
    user = request.getfixturevalue(persona)

    response = post(
        client,
        f"/messages/{message_id('late')}/corrections",
        user,
        {"kind": "question", "topic": "customer_service"},
    )

    assert response.status_code == 201
    triage = response.json()["triage"]
    assert (triage["kind"], triage["topic"], triage["sentiment"]) == (
        "question",
        "customer_service",
        "negative",
    )
    assert triage["corrections"] == [
        {
            "field": "kind",
            "old_value": "complaint",
            "new_value": "question",
            "actor": user.username,
            "created_at": NOW_JSON,
        },
        {
            "field": "topic",
            "old_value": "delivery",
            "new_value": "customer_service",
            "actor": user.username,
            "created_at": NOW_JSON,
        },
    ]
    summary = get(client, f"/conversations/{triaged['late']}", user).json()["triage"]
    assert (summary["kind"], summary["topic"]) == ("question", "customer_service")


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"kind": "complaint"}, 400, "nothing to correct: the values are the ones already shown"),
        ({}, 400, "nothing to correct: the values are the ones already shown"),
        ({"topic": "no_such_topic"}, 400, "unknown or inactive topic 'no_such_topic'"),
    ],
)
def test_a_refused_correction_says_why_and_changes_nothing(
    client: Client,
    triaged: dict[str, int],
    agent: User,
    body: dict[str, Any],
    status: int,
    detail: str,
) -> None:
    before = full_snapshot()

    response = post(client, f"/messages/{message_id('late')}/corrections", agent, body)

    assert response.status_code == status
    assert response.json() == {"detail": detail}
    assert full_snapshot() == before


def test_an_unknown_kind_is_a_422_and_changes_nothing(
    client: Client, triaged: dict[str, int], agent: User
) -> None:
    before = full_snapshot()

    response = post(client, f"/messages/{message_id('late')}/corrections", agent, {"kind": "x"})

    assert response.status_code == 422
    assert full_snapshot() == before


def test_another_teams_message_is_not_found_and_nothing_changes(
    client: Client, triaged: dict[str, int], outsider: User
) -> None:
    before = full_snapshot()

    response = post(
        client, f"/messages/{message_id('late')}/corrections", outsider, {"kind": "question"}
    )

    assert response.status_code == 404
    assert response.json() == {"detail": "no such message"}
    assert full_snapshot() == before


def test_a_reply_has_no_triage_to_correct(
    client: Client, triaged: dict[str, int], agent: User
) -> None:
    case = Conversation.objects.get(pk=triaged["late"])
    reply = queue_reply(case, text="On it", public=True, actor=agent)
    before = full_snapshot()

    response = post(client, f"/messages/{reply.message_id}/corrections", agent, {"kind": "spam"})

    assert response.status_code == 400
    assert response.json() == {"detail": "only customers' messages have a triage to correct"}
    assert full_snapshot() == before


def test_a_correction_needs_a_token(client: Client, triaged: dict[str, int]) -> None:
    before = full_snapshot()

    response = client.post(
        f"/api/v1/messages/{message_id('late')}/corrections",
        {"kind": "question"},
        content_type="application/json",
    )

    assert response.status_code == 401
    assert full_snapshot() == before
