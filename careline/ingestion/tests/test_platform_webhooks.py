"""Platform webhooks through the real routes, with the connectors' recorded fixtures."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from django.test import Client

from careline.inbox.models import Channel, Message
from careline.ingestion.models import InboundEvent

pytestmark = pytest.mark.django_db

CONNECTORS = Path(__file__).resolve().parents[2] / "connectors"
PAGE_ID = "104738291234567"
APP_SECRET = "test_app_secret"
CONSUMER_SECRET = "test_consumer_secret"


def fixture(path: str) -> bytes:
    return (CONNECTORS / path).read_bytes()


def meta_signature(body: bytes) -> str:
    return "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


def x_signature(body: bytes) -> str:
    digest = hmac.new(CONSUMER_SECRET.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


@pytest.fixture
def meta_channels(db: None) -> tuple[Channel, Channel]:
    credentials = {
        "app_secret": APP_SECRET,
        "verify_token": "meatyhamhock",
        "page_access_token": "page-token",
        "page_id": PAGE_ID,
    }
    facebook = Channel.objects.create(
        name="shop-facebook", platform="facebook", external_id=PAGE_ID, credentials=credentials
    )
    messenger = Channel.objects.create(
        name="shop-messenger", platform="messenger", external_id=PAGE_ID, credentials=credentials
    )
    return facebook, messenger


@pytest.fixture
def x_channel(db: None) -> Channel:
    return Channel.objects.create(
        name="shop-x",
        platform="x",
        external_id="1111111111",
        credentials={"consumer_secret": CONSUMER_SECRET, "user_id": "1111111111"},
    )


def post(client: Client, capture: Any, url: str, body: bytes, **headers: str) -> Any:
    with capture(execute=True):
        return client.post(url, data=body, content_type="application/json", headers=headers)


def test_meta_verification_handshake_answers_the_challenge(
    client: Client, meta_channels: tuple[Channel, Channel]
) -> None:
    ok = client.get(
        "/hooks/meta/shop-facebook",
        {
            "hub.mode": "subscribe",
            "hub.challenge": "1158201444",
            "hub.verify_token": "meatyhamhock",
        },
    )
    wrong = client.get(
        "/hooks/meta/shop-facebook",
        {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "nope"},
    )

    assert (ok.status_code, ok.content, ok["Content-Type"]) == (200, b"1158201444", "text/plain")
    assert wrong.status_code == 403


def test_one_page_delivery_feeds_both_the_facebook_and_messenger_channels(
    client: Client, meta_channels: tuple[Channel, Channel], django_capture_on_commit_callbacks: Any
) -> None:
    body = fixture("meta/fixtures/page_feed_and_messaging.json")

    response = post(
        client,
        django_capture_on_commit_callbacks,
        "/hooks/meta/shop-facebook",
        body,
        **{"X-Hub-Signature-256": meta_signature(body)},
    )

    assert response.status_code == 202
    stored = {
        (m.channel.name, m.external_id, m.visibility, m.text)
        for m in Message.objects.select_related("channel")
    }
    assert stored == {
        (
            "shop-facebook",
            "1122334455667788_9988776655443322",
            "public",
            "My order #1234 hasn't arrived",
        ),
        (
            "shop-messenger",
            "m_1457764197618:41d102a3e1ae206a38",
            "private",
            "Hi, I need help with my order",
        ),
    }


def test_a_forged_meta_delivery_stores_nothing(
    client: Client, meta_channels: tuple[Channel, Channel], django_capture_on_commit_callbacks: Any
) -> None:
    body = fixture("meta/fixtures/facebook_comment_add.json")

    response = post(
        client,
        django_capture_on_commit_callbacks,
        "/hooks/meta/shop-facebook",
        body,
        **{"X-Hub-Signature-256": "sha256=" + "0" * 64},
    )

    assert response.status_code == 403
    assert InboundEvent.objects.count() == 0


def test_x_crc_and_a_signed_tweet_delivery(
    client: Client, x_channel: Channel, django_capture_on_commit_callbacks: Any
) -> None:
    crc = client.get("/hooks/x/shop-x", {"crc_token": "challenge123"})
    body = fixture("x/fixtures/aaa_tweet_create.json")

    response = post(
        client,
        django_capture_on_commit_callbacks,
        "/hooks/x/shop-x",
        body,
        **{"x-twitter-webhooks-signature": x_signature(body)},
    )

    assert crc.json() == {"response_token": "sha256=bduFTUKxcpX6V/Na8ySV0jg4oI1UGafJHo/L5CYtzIo="}
    assert response.status_code == 202
    message = Message.objects.get()
    assert (message.external_id, message.text, message.author.handle) == (
        "1800000000000000002",
        "@AcmeSupport my package is late",
        "@janedoe",
    )


def test_a_channel_is_only_reachable_through_its_own_family(
    client: Client, x_channel: Channel
) -> None:
    assert client.get("/hooks/meta/shop-x", {"hub.mode": "subscribe"}).status_code == 403
    assert client.get("/hooks/generic/shop-x").status_code == 403


def test_a_forged_x_delivery_stores_nothing(
    client: Client, x_channel: Channel, django_capture_on_commit_callbacks: Any
) -> None:
    body = fixture("x/fixtures/aaa_tweet_create.json")

    response = post(
        client,
        django_capture_on_commit_callbacks,
        "/hooks/x/shop-x",
        body,
        **{"x-twitter-webhooks-signature": x_signature(body + b" ")},
    )

    assert response.status_code == 403
    assert InboundEvent.objects.count() == 0
    assert Message.objects.count() == 0


def test_a_redelivered_page_event_adds_nothing(
    client: Client, meta_channels: tuple[Channel, Channel], django_capture_on_commit_callbacks: Any
) -> None:
    body = fixture("meta/fixtures/facebook_comment_add.json")
    headers = {"X-Hub-Signature-256": meta_signature(body)}

    first = post(
        client, django_capture_on_commit_callbacks, "/hooks/meta/shop-facebook", body, **headers
    )
    again = post(
        client, django_capture_on_commit_callbacks, "/hooks/meta/shop-facebook", body, **headers
    )

    assert (first.status_code, again.status_code) == (202, 200)
    assert Message.objects.count() == 1


IG_ACCOUNT = "17841405309211844"


@pytest.fixture
def instagram(db: None) -> Channel:
    return Channel.objects.create(
        name="shop-instagram",
        platform="instagram",
        external_id=IG_ACCOUNT,
        credentials={
            "app_secret": APP_SECRET,
            "page_access_token": "page-token",
            "page_id": PAGE_ID,
            "instagram_account_id": IG_ACCOUNT,
            "graph_host": "https://graph.test",
        },
    )


@respx.mock
def test_an_instagram_mention_is_completed_with_its_text_and_author(
    client: Client, instagram: Channel, django_capture_on_commit_callbacks: Any
) -> None:
    body = fixture("meta/fixtures/instagram_mention_in_comment.json")
    lookup = respx.get(f"https://graph.test/v21.0/{IG_ACCOUNT}").mock(
        return_value=httpx.Response(
            200,
            json={
                "id": IG_ACCOUNT,
                "mentioned_comment": {
                    "id": "17894227972186120",
                    "text": "@larkspurhome the lamp you sent me flickers",
                    "username": "jane.doe",
                    "timestamp": "2024-06-20T16:13:20+0000",
                },
            },
        )
    )

    response = post(
        client,
        django_capture_on_commit_callbacks,
        "/hooks/meta/shop-instagram",
        body,
        **{"X-Hub-Signature-256": meta_signature(body)},
    )

    assert response.status_code == 202
    assert "mentioned_comment.comment_id(17894227972186120)" in str(
        lookup.calls.last.request.url.params["fields"]
    )
    message = Message.objects.get()
    assert (message.text, message.author.handle, message.platform_kind) == (
        "@larkspurhome the lamp you sent me flickers",
        "jane.doe",
        "mention",
    )
    assert "needs_fetch" not in message.extra


@respx.mock
def test_a_mention_whose_look_up_fails_is_kept_and_marked(
    client: Client, instagram: Channel, django_capture_on_commit_callbacks: Any
) -> None:
    body = fixture("meta/fixtures/instagram_mention_in_comment.json")
    respx.get(f"https://graph.test/v21.0/{IG_ACCOUNT}").mock(return_value=httpx.Response(500))

    post(
        client,
        django_capture_on_commit_callbacks,
        "/hooks/meta/shop-instagram",
        body,
        **{"X-Hub-Signature-256": meta_signature(body)},
    )

    message = Message.objects.get()
    assert message.text == ""
    assert message.extra["needs_fetch"] is True
    assert message.extra["fetch_error"]
