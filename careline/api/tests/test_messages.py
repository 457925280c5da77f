"""Reading messages: a case's thread, the message list and its filters, hostile text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from careline.accounts.models import Team, User
from careline.cases.models import Conversation
from careline.inbox.models import Channel, Platform
from careline.ingestion.services import ingest_items
from careline.replies.services import queue_reply
from conftest import item

from .support import NOW_JSON, get

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<script>alert("pwned")</script> <img src=x onerror=alert(1)> {{ secret }} '
    "&amp; ' \" \\ \u202eevil\u202c 🙂 </textarea>"
)


def external_ids(response: Any) -> list[str | None]:
    return [m["external_id"] for m in response.json()["items"]]


@pytest.fixture
def thread(settings: Any, generic_channel: Channel, case: Conversation) -> Conversation:
    """The case of team A with three posts: p1 (09:00), r1 (09:05), r2 (09:10); the replies
    are not triaged."""
    settings.CARELINE_TRIAGE_ON_INGEST = False
    ingest_items(
        generic_channel,
        [
            item("r1", author="u2", reply_to="p1", minutes=5, text="Me too"),
            item("r2", reply_to="r1", minutes=10, text="Still nothing"),
        ],
    )
    return case


def test_a_cases_messages_come_oldest_first_with_every_field(
    client: Client, thread: Conversation, agent: User
) -> None:
    # ``thread`` is not triaged (CARELINE_TRIAGE_ON_INGEST is off for it); the triage object
    # is tested in careline/api/tests/test_triage.py.
    response = get(client, f"/conversations/{thread.pk}/messages", agent)

    body = response.json()
    assert body["count"] == 3
    assert external_ids(response) == ["p1", "r1", "r2"]
    assert body["items"][1] == {
        "id": body["items"][1]["id"],
        "conversation": thread.pk,
        "channel": "shop-webhook",
        "direction": "in",
        "visibility": "public",
        "text": "Me too",
        "external_id": "r1",
        "reply_to_external_id": "p1",
        "author": "@u2",
        "sent_by": None,
        "created_at": "2026-11-02T09:05:00Z",
        "received_at": NOW_JSON,
        "delivery_status": None,
        "triage": None,
    }


def test_a_cases_messages_are_paged(client: Client, thread: Conversation, agent: User) -> None:
    response = get(client, f"/conversations/{thread.pk}/messages", agent, limit=1, offset=2)

    assert response.json()["count"] == 3
    assert external_ids(response) == ["r2"]


def test_a_queued_reply_shows_who_wrote_it_and_its_delivery_status(
    client: Client, case: Conversation, agent: User
) -> None:
    # No on-commit callbacks run here, so the delivery stays queued.
    queue_reply(case, text="We are on it", public=False, actor=agent)

    response = get(client, f"/conversations/{case.pk}/messages", agent)

    reply = response.json()["items"][-1]
    assert (reply["direction"], reply["visibility"], reply["sent_by"], reply["author"]) == (
        "out",
        "private",
        "alice",
        None,
    )
    assert (reply["external_id"], reply["delivery_status"]) == (None, "queued")


def test_the_message_list_is_newest_first_and_paged(
    client: Client, thread: Conversation, agent: User
) -> None:
    first = get(client, "/messages", agent, limit=2)
    rest = get(client, "/messages", agent, limit=2, offset=2)

    assert (first.json()["count"], external_ids(first)) == (3, ["r2", "r1"])
    assert (rest.json()["count"], external_ids(rest)) == (3, ["p1"])


def test_the_message_list_filters_by_conversation(
    client: Client, generic_channel: Channel, thread: Conversation, agent: User
) -> None:
    ingest_items(generic_channel, [item("other", author="u9", minutes=20)])
    other = Conversation.objects.exclude(pk=thread.pk).get()

    of_thread = get(client, "/messages", agent, conversation=thread.pk)
    of_other = get(client, "/messages", agent, conversation=other.pk)

    assert external_ids(of_thread) == ["r2", "r1", "p1"]
    assert external_ids(of_other) == ["other"]


def test_the_message_list_filters_by_direction(
    client: Client, case: Conversation, agent: User
) -> None:
    queue_reply(case, text="We are on it", public=True, actor=agent)

    inbound = get(client, "/messages", agent, direction="in")
    outbound = get(client, "/messages", agent, direction="out")

    assert [m["text"] for m in inbound.json()["items"]] == ["My parcel is late"]
    assert [m["text"] for m in outbound.json()["items"]] == ["We are on it"]


def test_the_message_list_filters_by_channel(
    client: Client, generic_channel: Channel, case: Conversation, agent: User
) -> None:
    x_channel = Channel.objects.create(name="shop-x", platform=Platform.X, external_id="shop")
    ingest_items(x_channel, [item("x1", minutes=3)])

    on_x = get(client, "/messages", agent, channel="shop-x")
    on_generic = get(client, "/messages", agent, channel="shop-webhook")

    assert external_ids(on_x) == ["x1"]
    assert external_ids(on_generic) == ["p1"]


def test_filtering_messages_by_another_teams_case_gives_nothing(
    client: Client, thread: Conversation, outsider: User
) -> None:
    response = get(client, "/messages", outsider, conversation=thread.pk)

    assert response.json() == {"count": 0, "items": []}


def test_an_unknown_direction_is_a_422(client: Client, case: Conversation, agent: User) -> None:
    response = get(client, "/messages", agent, direction="sideways")

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["msg"]) == (["query", "direction"], "Input should be 'in' or 'out'")


def test_hostile_text_comes_back_as_an_unchanged_json_string(
    client: Client, generic_channel: Channel, team_a: Team, agent: User
) -> None:
    ingest_items(generic_channel, [item("evil", text=HOSTILE)])
    Conversation.objects.update(team=team_a)
    case = Conversation.objects.get()

    messages = get(client, f"/conversations/{case.pk}/messages", agent)
    listed = get(client, "/conversations", agent)

    assert messages["Content-Type"] == "application/json; charset=utf-8"
    assert messages["X-Content-Type-Options"] == "nosniff"
    assert json.loads(messages.content)["items"][0]["text"] == HOSTILE
    assert listed.json()["items"][0]["subject"] == HOSTILE
