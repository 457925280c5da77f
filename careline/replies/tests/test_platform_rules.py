"""The outbox with real platform connectors: modes, rules checked at queue time, check-first
retries after a timeout."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx
import time_machine
from django.utils import timezone

from careline.accounts.models import User
from careline.cases.models import Conversation
from careline.cases.services import CaseActionError
from careline.connectors.base import InboundItem
from careline.inbox.models import Channel, Message
from careline.ingestion.services import ingest_items
from careline.replies.models import DeliveryStatus, OutboundMessage
from careline.replies.services import deliver_outbound, queue_reply, request_moderation

pytestmark = pytest.mark.django_db

GRAPH = "https://graph.test"
PAGE = "104738291234567"
X_API = "https://api.x.test/2"


def inbound(external_id: str, *, public: bool, at: Any, text: str = "help") -> InboundItem:
    return InboundItem(
        external_id=external_id,
        author_id="6543210987654321",
        author_handle="jane",
        author_name="Jane Doe",
        text=text,
        created_at=at,
        public=public,
    )


@pytest.fixture
def facebook(db: None) -> Channel:
    return Channel.objects.create(
        name="shop-facebook",
        platform="facebook",
        external_id=PAGE,
        credentials={
            "app_secret": "secret",
            "page_access_token": "page-token",
            "page_id": PAGE,
            "graph_host": GRAPH,
        },
    )


@pytest.fixture
def messenger(facebook: Channel) -> Channel:
    return Channel.objects.create(
        name="shop-messenger",
        platform="messenger",
        external_id=PAGE,
        credentials=facebook.credentials,
    )


@respx.mock
def test_a_private_answer_to_a_comment_is_the_one_private_reply(
    facebook: Channel, agent: User
) -> None:
    ingest_items(facebook, [inbound("c1", public=True, at=timezone.now())])
    case = Conversation.objects.get()
    route = respx.post(f"{GRAPH}/v21.0/{PAGE}/messages").mock(
        return_value=httpx.Response(200, json={"recipient_id": "r", "message_id": "m_9"})
    )

    outbound = queue_reply(case, text="Sent you the details", public=False, actor=agent)
    deliver_outbound(outbound.pk)

    assert outbound.mode == "private_reply"
    assert json.loads(route.calls.last.request.content)["recipient"] == {"comment_id": "c1"}
    with pytest.raises(CaseActionError, match="once"):
        queue_reply(case, text="And another thing", public=False, actor=agent)
    assert OutboundMessage.objects.count() == 1


def test_a_message_after_the_window_closed_is_refused_when_queued(
    messenger: Channel, agent: User
) -> None:
    written = timezone.now() - timedelta(days=8)
    ingest_items(messenger, [inbound("m_1", public=False, at=written)])
    case = Conversation.objects.get()

    with pytest.raises(CaseActionError, match="window closed"):
        queue_reply(case, text="Sorry for the wait", public=False, actor=agent)

    assert OutboundMessage.objects.count() == 0
    assert Message.objects.filter(direction="out").count() == 0


@pytest.fixture
def x_channel(db: None) -> Channel:
    return Channel.objects.create(
        name="shop-x",
        platform="x",
        external_id="1111111111",
        credentials={"user_id": "1111111111", "user_access_token": "user", "api_base": X_API},
    )


@respx.mock
def test_a_retry_after_a_timeout_finds_the_posted_reply_instead_of_posting_twice(
    x_channel: Channel, agent: User
) -> None:
    ingest_items(x_channel, [inbound("1800000000000000002", public=True, at=timezone.now())])
    case = Conversation.objects.get()
    post = respx.post(f"{X_API}/tweets").mock(side_effect=httpx.ReadTimeout("slow"))
    respx.get(f"{X_API}/users/1111111111/tweets").mock(
        return_value=httpx.Response(
            200,
            json={
                "data": [
                    {
                        "id": "1800000000000000050",
                        "text": "Sorry Jane, we are on it.",
                        "referenced_tweets": [{"type": "replied_to", "id": "1800000000000000002"}],
                    }
                ]
            },
        )
    )
    outbound = queue_reply(case, text="Sorry Jane, we are on it.", public=True, actor=agent)

    assert deliver_outbound(outbound.pk) == DeliveryStatus.RETRYING
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        assert deliver_outbound(outbound.pk) == DeliveryStatus.SENT

    assert post.call_count == 1
    outbound.refresh_from_db()
    assert outbound.message.external_id == "1800000000000000050"


def test_an_over_long_public_reply_on_x_is_refused_with_the_reason(
    x_channel: Channel, agent: User
) -> None:
    ingest_items(x_channel, [inbound("1800000000000000002", public=True, at=timezone.now())])
    case = Conversation.objects.get()

    with pytest.raises(CaseActionError, match="X allows 280"):
        queue_reply(case, text="x" * 300, public=True, actor=agent)


@respx.mock
def test_hiding_a_comment_goes_through_the_outbox_and_is_recorded(
    facebook: Channel, supervisor: User, django_capture_on_commit_callbacks: Any
) -> None:
    ingest_items(facebook, [inbound("c1", public=True, at=timezone.now(), text="card 4111…")])
    message = Message.objects.get()
    route = respx.post(f"{GRAPH}/v21.0/c1").mock(
        return_value=httpx.Response(200, json={"success": True})
    )

    with django_capture_on_commit_callbacks(execute=True):
        outbound = request_moderation(
            message, action="hide", actor=supervisor, reason="exposes a card number"
        )

    assert route.calls.last.request.content == b"is_hidden=true"
    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts.get().ok) == (DeliveryStatus.SENT, True)
    message.refresh_from_db()
    assert message.hidden_at is not None
    events = list(message.conversation.events.values_list("kind", "reason"))
    assert events[-2:] == [
        ("moderation_requested", "exposes a card number"),
        ("message_hidden", "on shop-facebook: exposes a card number"),
    ]


def test_moderation_needs_a_reason_and_a_sensible_action(facebook: Channel, agent: User) -> None:
    ingest_items(facebook, [inbound("c1", public=True, at=timezone.now())])
    message = Message.objects.get()

    with pytest.raises(CaseActionError, match="say why"):
        request_moderation(message, action="hide", actor=agent, reason=" ")
    with pytest.raises(CaseActionError, match="the item is not hidden"):
        request_moderation(message, action="unhide", actor=agent, reason="oops")

    assert OutboundMessage.objects.count() == 0


@respx.mock
def test_a_refused_moderation_is_recorded_as_failed(x_channel: Channel, agent: User) -> None:
    ingest_items(x_channel, [inbound("1800000000000000002", public=True, at=timezone.now())])
    message = Message.objects.get()
    outbound = request_moderation(message, action="delete", actor=agent, reason="spam")

    assert deliver_outbound(outbound.pk) == DeliveryStatus.FAILED

    message.refresh_from_db()
    assert message.deleted_at is None
    assert message.conversation.events.filter(kind="moderation_failed").count() == 1


@respx.mock
def test_an_expired_x_token_is_renewed_and_the_new_tokens_kept(
    x_channel: Channel, agent: User
) -> None:
    Channel.objects.filter(pk=x_channel.pk).update(
        credentials={
            **x_channel.credentials,
            "refresh_token": "refresh-1",
            "client_id": "client",
        }
    )
    ingest_items(x_channel, [inbound("1800000000000000002", public=True, at=timezone.now())])
    case = Conversation.objects.get()
    post = respx.post(f"{X_API}/tweets").mock(
        side_effect=[
            httpx.Response(401, json={"title": "Unauthorized", "detail": "Unauthorized"}),
            httpx.Response(201, json={"data": {"id": "1800000000000000099", "text": "ok"}}),
        ]
    )
    token = respx.post(f"{X_API}/oauth2/token").mock(
        return_value=httpx.Response(
            200, json={"access_token": "user-2", "refresh_token": "refresh-2"}
        )
    )
    outbound = queue_reply(case, text="On it!", public=True, actor=agent)

    assert deliver_outbound(outbound.pk) == DeliveryStatus.SENT

    assert token.calls.last.request.content == (
        b"grant_type=refresh_token&refresh_token=refresh-1&client_id=client"
    )
    assert post.calls.last.request.headers["Authorization"] == "Bearer user-2"
    x_channel.refresh_from_db()
    assert (x_channel.credentials["user_access_token"], x_channel.credentials["refresh_token"]) == (
        "user-2",
        "refresh-2",
    )
