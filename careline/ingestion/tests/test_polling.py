from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import respx
from django.utils import timezone

from careline.inbox.models import Channel, Message
from careline.ingestion.polling import channels_due, poll_channel

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "connectors" / "x" / "fixtures"
API = "https://api.x.test/2"
MENTIONS = f"{API}/users/1111111111/mentions"


@pytest.fixture
def x_polled(db: None) -> Channel:
    return Channel.objects.create(
        name="shop-x",
        platform="x",
        external_id="1111111111",
        credentials={
            "user_id": "1111111111",
            "bearer_token": "app-token",
            "api_base": API,
            "poll": True,
        },
    )


def page(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def without_next_token(name: str) -> dict:
    document = page(name)
    document["meta"].pop("next_token", None)
    return document


@respx.mock
def test_a_poll_ingests_mentions_and_stores_the_cursor(x_polled: Channel) -> None:
    respx.get(MENTIONS).mock(
        return_value=httpx.Response(200, json=without_next_token("mentions_page1.json"))
    )

    outcome = poll_channel(x_polled.pk)

    assert (outcome.created, outcome.error) == (1, "")
    assert Message.objects.get().external_id == "1800000000000000002"
    x_polled.refresh_from_db()
    assert x_polled.poll_cursor == {"since_id": "1800000000000000002"}
    assert x_polled.last_polled_at is not None


@respx.mock
def test_the_next_poll_resumes_from_the_stored_cursor(x_polled: Channel) -> None:
    Channel.objects.filter(pk=x_polled.pk).update(poll_cursor={"since_id": "1800000000000000002"})
    route = respx.get(MENTIONS).mock(
        return_value=httpx.Response(200, json=page("mentions_empty.json"))
    )

    outcome = poll_channel(x_polled.pk)

    assert outcome.created == 0
    assert route.calls.last.request.url.params["since_id"] == "1800000000000000002"


@respx.mock
def test_a_rate_limited_poll_pauses_the_channel_until_the_reset(x_polled: Channel) -> None:
    reset = int((timezone.now() + timedelta(minutes=5)).timestamp())
    respx.get(MENTIONS).mock(
        return_value=httpx.Response(
            429, json=page("error_429.json"), headers={"x-rate-limit-reset": str(reset)}
        )
    )

    outcome = poll_channel(x_polled.pk)

    assert outcome.created == 0
    assert outcome.error
    x_polled.refresh_from_db()
    assert x_polled.poll_paused_until is not None
    assert x_polled.poll_paused_until > timezone.now() + timedelta(minutes=4)
    assert x_polled.poll_cursor == {}
    assert channels_due() == []


def test_only_polled_and_unpaused_channels_are_due(x_polled: Channel) -> None:
    webhook_x = Channel.objects.create(
        name="hooked-x", platform="x", external_id="2", credentials={"user_id": "2"}
    )
    paused = Channel.objects.create(
        name="paused-mastodon",
        platform="mastodon",
        credentials={},
        poll_paused_until=timezone.now() + timedelta(minutes=1),
    )

    due = channels_due()

    assert due == [x_polled.pk]
    assert webhook_x.pk not in due
    assert paused.pk not in due


@respx.mock
def test_a_bluesky_poll_keeps_its_session_for_the_next_poll(db: None) -> None:
    pds, brand = "https://pds.example", "did:plc:acmesupport00000000000000"
    channel = Channel.objects.create(
        name="shop-bsky",
        platform="bluesky",
        external_id=brand,
        credentials={"service": pds, "identifier": "acme", "app_password": "pw", "did": brand},
    )
    sign_in = respx.post(f"{pds}/xrpc/com.atproto.server.createSession").mock(
        return_value=httpx.Response(
            200, json={"accessJwt": "access-1", "refreshJwt": "refresh-1", "did": brand}
        )
    )
    respx.get(f"{pds}/xrpc/app.bsky.notification.listNotifications").mock(
        return_value=httpx.Response(200, json={"notifications": []})
    )

    poll_channel(channel.pk)
    poll_channel(channel.pk)

    assert sign_in.call_count == 1
    channel.refresh_from_db()
    assert channel.credentials["access_jwt"] == "access-1"
    assert channel.credentials["refresh_jwt"] == "refresh-1"
