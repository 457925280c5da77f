"""Acting on a case through the API: replies, status and assignee, each through its service."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from django.test import Client

from careline.accounts.models import User
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.services import assign_case
from careline.cases.workflow import Status
from careline.inbox.models import Channel, Direction, Message
from careline.ingestion.services import ingest_items
from careline.replies.models import DeliveryStatus
from conftest import CALLBACK_URL, item

from .support import BASE, NOW_JSON, bearer, post, snapshot

pytestmark = pytest.mark.django_db


def kinds(case: Conversation) -> list[str]:
    return list(CaseEvent.objects.filter(conversation=case).values_list("kind", flat=True))


def refused(response: Any, detail: str) -> bool:
    return response.status_code == 400 and response.json() == {"detail": detail}


# Replies


def test_a_reply_is_stored_answered_with_201_and_delivered_to_the_platform(
    client: Client,
    case: Conversation,
    agent: User,
    platform_http: respx.MockRouter,
    django_capture_on_commit_callbacks: Any,
) -> None:
    callback = platform_http.post(CALLBACK_URL).respond(200, json={"id": "ext-1"})

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            f"/conversations/{case.pk}/replies",
            agent,
            {"text": "  It left our warehouse today.  ", "public": True},
        )

    reply = Message.objects.get(direction=Direction.OUTBOUND)
    assert response.status_code == 201
    # The answer is the reply as stored when the request ended; delivery runs after commit.
    assert response.json() == {
        "id": reply.pk,
        "conversation": case.pk,
        "channel": "shop-webhook",
        "direction": "out",
        "visibility": "public",
        "text": "It left our warehouse today.",
        "external_id": None,
        "reply_to_external_id": "p1",
        "author": None,
        "sent_by": "alice",
        "created_at": NOW_JSON,
        "received_at": NOW_JSON,
        "delivery_status": "queued",
        "triage": None,
    }
    assert reply.external_id == "ext-1"
    assert reply.outbox.status == DeliveryStatus.SENT
    assert callback.call_count == 1
    sent = json.loads(callback.calls.last.request.content)
    assert (sent["text"], sent["in_reply_to"], sent["recipient"], sent["public"]) == (
        "It left our warehouse today.",
        "p1",
        "u1",
        True,
    )
    case.refresh_from_db()
    assert (case.status, case.message_count) == (Status.OPEN, 2)
    assert kinds(case) == ["created", "reply_queued", "status_changed", "reply_sent"]


def test_a_private_reply_answers_the_latest_post(
    client: Client,
    generic_channel: Channel,
    case: Conversation,
    agent: User,
    platform_http: respx.MockRouter,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ingest_items(generic_channel, [item("d1", public=False, minutes=5, text="order 1234")])
    callback = platform_http.post(CALLBACK_URL).respond(200, json={"id": "dm-7"})

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            f"/conversations/{case.pk}/replies",
            agent,
            {"text": "Thanks, checking 1234", "public": False},
        )

    body = response.json()
    assert (body["visibility"], body["reply_to_external_id"]) == ("private", "d1")
    assert Message.objects.get(pk=body["id"]).external_id == "dm-7"
    assert json.loads(callback.calls.last.request.content)["public"] is False


def test_a_reply_the_platform_refuses_is_still_accepted_and_recorded_as_failed(
    client: Client,
    case: Conversation,
    agent: User,
    platform_http: respx.MockRouter,
    django_capture_on_commit_callbacks: Any,
) -> None:
    platform_http.post(CALLBACK_URL).mock(return_value=httpx.Response(400, text="bad reply"))

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, f"/conversations/{case.pk}/replies", agent, {"text": "Hi", "public": True}
        )

    reply = Message.objects.get(pk=response.json()["id"])
    assert response.status_code == 201
    assert (reply.external_id, reply.outbox.status) == (None, DeliveryStatus.FAILED)
    failed = CaseEvent.objects.get(conversation=case, kind=EventKind.REPLY_FAILED)
    assert failed.reason == "permanent error: callback answered HTTP 400: bad reply"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"text": "   ", "public": True}, "a reply cannot be empty"),
        ({"text": "x" * 10_001, "public": True}, "a reply is limited to 10000 characters"),
    ],
)
def test_an_invalid_reply_is_refused_with_the_reason_and_changes_nothing(
    client: Client, case: Conversation, agent: User, body: dict[str, Any], detail: str
) -> None:
    before = snapshot()

    response = post(client, f"/conversations/{case.pk}/replies", agent, body)

    assert refused(response, detail)
    assert snapshot() == before


def test_a_reply_of_exactly_the_limit_is_accepted(
    client: Client, case: Conversation, agent: User
) -> None:
    response = post(
        client, f"/conversations/{case.pk}/replies", agent, {"text": "x" * 10_000, "public": True}
    )

    assert response.status_code == 201
    assert len(response.json()["text"]) == 10_000


def test_a_closed_case_takes_no_reply(client: Client, case: Conversation, agent: User) -> None:
    Conversation.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    before = snapshot()

    response = post(
        client, f"/conversations/{case.pk}/replies", agent, {"text": "Hello?", "public": True}
    )

    assert refused(response, "the case is closed; replies are closed")
    assert snapshot() == before


def test_a_public_reply_needs_a_public_post(
    client: Client, generic_channel: Channel, team_a: Any, agent: User
) -> None:
    ingest_items(generic_channel, [item("d1", public=False)])
    case = Conversation.objects.get()
    before = snapshot()

    response = post(
        client, f"/conversations/{case.pk}/replies", agent, {"text": "Hi", "public": True}
    )

    assert refused(response, "this case has no public post to answer in public")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "loc", "msg"),
    [
        ({"text": "Hi"}, ["body", "payload", "public"], "Field required"),
        ({"public": True}, ["body", "payload", "text"], "Field required"),
        (
            {"text": 5, "public": True},
            ["body", "payload", "text"],
            "Input should be a valid string",
        ),
    ],
)
def test_a_malformed_reply_is_a_422_that_names_the_field(
    client: Client, case: Conversation, agent: User, body: dict[str, Any], loc: list[str], msg: str
) -> None:
    before = snapshot()

    response = post(client, f"/conversations/{case.pk}/replies", agent, body)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["msg"]) == (loc, msg)
    assert snapshot() == before


def test_a_body_that_is_not_json_is_a_400_and_changes_nothing(
    client: Client, case: Conversation, agent: User
) -> None:
    before = snapshot()

    response = client.post(
        f"{BASE}/conversations/{case.pk}/replies",
        "text=hi",
        content_type="application/json",
        headers=bearer(agent),
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}
    assert snapshot() == before


def test_hostile_reply_text_is_stored_and_returned_as_written(
    client: Client, case: Conversation, agent: User
) -> None:
    text = '<b onmouseover="alert(1)">Hi</b> {% csrf_token %} \\u0000 🙂'

    response = post(
        client, f"/conversations/{case.pk}/replies", agent, {"text": text, "public": True}
    )

    assert response.json()["text"] == text
    assert Message.objects.get(pk=response.json()["id"]).text == text


# Status


def test_a_status_change_is_recorded_with_who_when_and_why(
    client: Client, case: Conversation, agent: User
) -> None:
    response = post(
        client,
        f"/conversations/{case.pk}/status",
        agent,
        {"status": "pending", "reason": "asked for the order number"},
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["pending_at"], body["new_at"]) == ("pending", NOW_JSON, NOW_JSON)
    assert body["events"][-1] == {
        "id": CaseEvent.objects.latest("id").pk,
        "kind": "status_changed",
        "actor": "alice",
        "reason": "asked for the order number",
        "data": {"from": "new", "to": "pending"},
        "created_at": NOW_JSON,
    }
    case.refresh_from_db()
    assert case.status == Status.PENDING


def test_a_supervisor_may_close_a_case(
    client: Client, case: Conversation, supervisor: User
) -> None:
    response = post(client, f"/conversations/{case.pk}/status", supervisor, {"status": "closed"})

    assert (response.json()["status"], response.json()["closed_at"]) == ("closed", NOW_JSON)
    assert kinds(case) == ["created", "status_changed"]


@pytest.mark.parametrize(
    ("current", "target", "detail"),
    [
        (Status.NEW, "new", "the case is already new"),
        (Status.CLOSED, "open", "a closed case cannot become open"),
        (Status.RESOLVED, "pending", "a resolved case cannot become pending"),
    ],
)
def test_a_transition_the_workflow_forbids_is_refused_and_changes_nothing(
    client: Client,
    case: Conversation,
    supervisor: User,
    current: Status,
    target: str,
    detail: str,
) -> None:
    Conversation.objects.filter(pk=case.pk).update(status=current)
    before = snapshot()

    response = post(client, f"/conversations/{case.pk}/status", supervisor, {"status": target})

    assert refused(response, detail)
    assert snapshot() == before


def test_an_unknown_status_is_a_422(client: Client, case: Conversation, agent: User) -> None:
    before = snapshot()

    response = post(client, f"/conversations/{case.pk}/status", agent, {"status": "lost"})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "payload", "status"]
    assert snapshot() == before


# Assignee


@pytest.mark.usefixtures("everyone")
def test_a_supervisor_assigns_a_case_and_the_event_says_from_whom_to_whom(
    client: Client, case: Conversation, supervisor: User
) -> None:
    response = post(
        client,
        f"/conversations/{case.pk}/assignee",
        supervisor,
        {"assignee": "alice", "reason": "knows the carrier"},
    )

    body = response.json()
    assert (response.status_code, body["assignee"]) == (200, "alice")
    assert body["events"][-1]["kind"] == "assigned"
    assert (body["events"][-1]["actor"], body["events"][-1]["data"]) == (
        "sam",
        {"from": None, "to": "alice"},
    )
    assert Conversation.objects.get(pk=case.pk).assignee == User.objects.get(username="alice")


def test_an_agent_may_let_their_case_go(
    client: Client, case: Conversation, agent: User, supervisor: User
) -> None:
    assign_case(case, assignee=agent, actor=supervisor)

    response = post(client, f"/conversations/{case.pk}/assignee", agent, {"assignee": None})

    assert response.json()["assignee"] is None
    assert response.json()["events"][-1]["data"] == {"from": "alice", "to": None}
    assert Conversation.objects.get(pk=case.pk).assignee is None


@pytest.mark.usefixtures("everyone")
def test_assigning_to_an_unknown_user_is_refused_and_changes_nothing(
    client: Client, case: Conversation, supervisor: User
) -> None:
    before = snapshot()

    response = post(client, f"/conversations/{case.pk}/assignee", supervisor, {"assignee": "bob"})

    assert refused(response, "no user named 'bob'")
    assert snapshot() == before


@pytest.mark.usefixtures("everyone")
def test_assigning_to_an_inactive_user_is_refused_and_changes_nothing(
    client: Client, case: Conversation, supervisor: User
) -> None:
    User.objects.filter(username="alice").update(is_active=False)
    before = snapshot()

    response = post(client, f"/conversations/{case.pk}/assignee", supervisor, {"assignee": "alice"})

    assert refused(response, "alice is not an active user")
    assert snapshot() == before


def test_assigning_the_current_assignee_again_is_refused_and_changes_nothing(
    client: Client, case: Conversation, agent: User, supervisor: User
) -> None:
    assign_case(case, assignee=agent, actor=supervisor)
    before = snapshot()

    response = post(client, f"/conversations/{case.pk}/assignee", supervisor, {"assignee": "alice"})

    assert refused(response, "the case already has that assignee")
    assert snapshot() == before


def test_the_assignee_must_be_given_even_to_unassign(
    client: Client, case: Conversation, supervisor: User
) -> None:
    response = post(client, f"/conversations/{case.pk}/assignee", supervisor, {"reason": "x"})

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["msg"]) == (["body", "payload", "assignee"], "Field required")
