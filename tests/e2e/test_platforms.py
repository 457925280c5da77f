"""One end-to-end run per platform against the fake platform: a customer writes on the platform,
careline receives it (signed webhook or poll), an agent answers, the answer arrives on the
platform exactly as the platform documents it, and careline keeps the id the platform gave it.
"""

from __future__ import annotations

from typing import Any
from unittest.mock import ANY

import pytest

from careline.accounts.models import User
from careline.fakeplatform import FakePlatform
from careline.fakeplatform.signing import appsecret_proof
from careline.inbox.models import Direction, Message
from careline.ingestion.polling import poll_channel
from careline.replies.models import DeliveryStatus
from careline.replies.services import queue_reply
from tests.e2e.support import case_of, connect, inject, outbound_of

pytestmark = pytest.mark.django_db(transaction=True)

PAGE_ID = "104738291234567"
IG_ACCOUNT = "17841405309211844"
PROOF = {"appsecret_proof": appsecret_proof("fake-meta-app-secret", "fake-meta-page-access-token")}


def inbound_message(channel_name: str, external_id: str) -> tuple[str, str, str, str]:
    message = Message.objects.select_related("author", "channel").get(
        channel__name=channel_name, external_id=external_id
    )
    return (message.direction, message.visibility, message.text, message.author.external_id)


def only_write(fake: FakePlatform, path: str) -> dict[str, Any]:
    """The one platform call that changed something; fails if careline made more or fewer."""
    writes = fake.writes()
    assert [(w["method"], w["path"]) for w in writes] == [("POST", path)]
    return writes[0]


def test_a_generic_item_arrives_signed_and_the_reply_reaches_the_callback(
    fake: FakePlatform, agent: User
) -> None:
    channel = connect(fake, "generic")

    sent = inject(
        fake,
        "generic",
        id="order-1234",
        author_id="cust-9",
        handle="jane",
        author_name="Jane Doe",
        text="Where is order 1234?",
    )
    assert sent["webhook"]["status"] == 202
    assert inbound_message("fake-generic", "order-1234") == (
        Direction.INBOUND,
        "public",
        "Where is order 1234?",
        "cust-9",
    )

    outbound = queue_reply(
        case_of(channel, "order-1234"), text="It ships today.", public=True, actor=agent
    )

    call = only_write(fake, "/generic/replies")
    assert call["body"] == {
        "idempotency_key": str(outbound.idempotency_key),
        "in_reply_to": "order-1234",
        "recipient": "cust-9",
        "public": True,
        "text": "It ships today.",
    }
    assert call["headers"]["idempotency-key"] == str(outbound.idempotency_key)
    assert (call["status"], call["response"]) == (201, {"id": "generic-reply-1"})
    stored = outbound_of(outbound)
    assert (stored.status, stored.message.external_id) == (DeliveryStatus.SENT, "generic-reply-1")


def test_a_facebook_comment_arrives_by_webhook_and_the_public_reply_lands_under_it(
    fake: FakePlatform, agent: User
) -> None:
    channel = connect(fake, "facebook")

    sent = inject(
        fake,
        "facebook",
        author_id="6543210987654321",
        author_name="Jane Doe",
        text="My order #1234 hasn't arrived",
    )
    comment = sent["ids"]["comment_id"]
    assert sent["webhook"]["status"] == 202
    assert inbound_message("fake-facebook", comment) == (
        Direction.INBOUND,
        "public",
        "My order #1234 hasn't arrived",
        "6543210987654321",
    )

    outbound = queue_reply(
        case_of(channel, comment), text="Sorry Jane, we're on it.", public=True, actor=agent
    )

    call = only_write(fake, f"/graph/v21.0/{comment}/comments")
    assert (call["platform"], call["query"]) == ("facebook", PROOF)
    assert call["body"] == {"message": "Sorry Jane, we're on it."}
    assert call["status"] == 200
    stored = outbound_of(outbound)
    assert stored.status == DeliveryStatus.SENT
    assert stored.message.external_id == call["response"]["id"]
    assert stored.message.external_id.startswith("1122334455667788_")


def test_an_instagram_comment_arrives_by_webhook_and_the_reply_lands_under_it(
    fake: FakePlatform, agent: User
) -> None:
    channel = connect(fake, "instagram")

    sent = inject(
        fake,
        "instagram",
        author_id="17841400000000001",
        handle="jane.doe",
        text="Where is my refund?",
    )
    comment = sent["ids"]["comment_id"]
    assert sent["webhook"]["status"] == 202
    assert inbound_message("fake-instagram", comment) == (
        Direction.INBOUND,
        "public",
        "Where is my refund?",
        "17841400000000001",
    )
    assert channel.external_id == IG_ACCOUNT

    outbound = queue_reply(
        case_of(channel, comment), text="Refunds take 3 days.", public=True, actor=agent
    )

    call = only_write(fake, f"/graph/v21.0/{comment}/replies")
    assert (call["platform"], call["query"], call["body"]) == (
        "instagram",
        PROOF,
        {"message": "Refunds take 3 days."},
    )
    assert call["status"] == 200
    stored = outbound_of(outbound)
    assert (stored.status, stored.message.external_id) == (
        DeliveryStatus.SENT,
        call["response"]["id"],
    )


def test_a_messenger_message_arrives_by_webhook_and_the_answer_goes_to_the_sender(
    fake: FakePlatform, agent: User
) -> None:
    channel = connect(fake, "messenger")

    sent = inject(
        fake, "messenger", author_id="6783901234567890", text="Hi, I need help with my order"
    )
    mid = sent["ids"]["mid"]
    assert sent["webhook"]["status"] == 202
    assert inbound_message("fake-messenger", mid) == (
        Direction.INBOUND,
        "private",
        "Hi, I need help with my order",
        "6783901234567890",
    )

    outbound = queue_reply(
        case_of(channel, mid), text="Happy to help! Order number?", public=False, actor=agent
    )

    call = only_write(fake, f"/graph/v21.0/{PAGE_ID}/messages")
    assert (call["platform"], call["query"]) == ("messenger", PROOF)
    assert call["body"] == {
        "recipient": {"id": "6783901234567890"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Happy to help! Order number?"},
    }
    assert call["response"]["recipient_id"] == "6783901234567890"
    stored = outbound_of(outbound)
    assert (stored.status, stored.message.external_id) == (
        DeliveryStatus.SENT,
        call["response"]["message_id"],
    )


def test_an_x_mention_arrives_by_account_activity_webhook_and_the_reply_is_posted(
    fake: FakePlatform, agent: User
) -> None:
    channel = connect(fake, "x")

    sent = inject(
        fake,
        "x",
        author_id="2244994945",
        handle="janedoe",
        author_name="Jane Doe",
        text="@larkspurhome my package is late & I'm <annoyed>",
    )
    tweet = sent["ids"]["tweet_id"]
    assert sent["webhook"]["status"] == 202
    # X escapes &, < and > on the wire; careline must store what Jane typed.
    assert inbound_message("fake-x", tweet) == (
        Direction.INBOUND,
        "public",
        "@larkspurhome my package is late & I'm <annoyed>",
        "2244994945",
    )

    outbound = queue_reply(
        case_of(channel, tweet),
        text="@janedoe So sorry! DM us the order.",
        public=True,
        actor=agent,
    )

    call = only_write(fake, "/x/2/tweets")
    assert call["body"] == {
        "text": "@janedoe So sorry! DM us the order.",
        "reply": {"in_reply_to_tweet_id": tweet},
    }
    assert call["status"] == 201
    stored = outbound_of(outbound)
    assert (stored.status, stored.message.external_id) == (
        DeliveryStatus.SENT,
        call["response"]["data"]["id"],
    )


def test_a_mastodon_mention_is_polled_and_the_reply_is_posted_with_an_idempotency_key(
    fake: FakePlatform, agent: User
) -> None:
    channel = connect(fake, "mastodon")
    sent = inject(
        fake,
        "mastodon",
        handle="jane@example.social",
        author_name="Jane",
        text="@larkspurhome where is my parcel?",
    )
    status_id = sent["ids"]["status_id"]

    outcome = poll_channel(channel.pk)

    assert (outcome.created, outcome.error) == (1, "")
    assert inbound_message("fake-mastodon", status_id) == (
        Direction.INBOUND,
        "public",
        "@larkspurhome where is my parcel?",
        sent["ids"]["account_id"],
    )

    outbound = queue_reply(
        case_of(channel, status_id),
        text="It left our warehouse today.",
        public=True,
        actor=agent,
    )

    call = only_write(fake, "/mastodon/api/v1/statuses")
    assert call["body"] == {
        "status": "@jane@example.social It left our warehouse today.",
        "visibility": "public",
        "in_reply_to_id": status_id,
    }
    assert call["headers"]["idempotency-key"] == str(outbound.idempotency_key)
    assert call["status"] == 200
    assert call["response"]["in_reply_to_id"] == status_id
    stored = outbound_of(outbound)
    assert (stored.status, stored.message.external_id) == (
        DeliveryStatus.SENT,
        call["response"]["id"],
    )


def test_a_bluesky_mention_is_polled_and_the_reply_is_posted_in_its_thread(
    fake: FakePlatform, agent: User
) -> None:
    channel = connect(fake, "bluesky")
    sent = inject(
        fake,
        "bluesky",
        handle="jane.bsky.social",
        author_name="Jane",
        text="@larkspurhome.fake.social my lamp arrived broken",
    )
    uri, cid = sent["ids"]["uri"], sent["ids"]["cid"]

    outcome = poll_channel(channel.pk)

    assert (outcome.created, outcome.error) == (1, "")
    assert inbound_message("fake-bluesky", uri) == (
        Direction.INBOUND,
        "public",
        "@larkspurhome.fake.social my lamp arrived broken",
        sent["ids"]["did"],
    )

    outbound = queue_reply(
        case_of(channel, uri),
        text="So sorry! A new one is on its way.",
        public=True,
        actor=agent,
    )

    call = only_write(fake, "/bsky/xrpc/com.atproto.repo.createRecord")
    assert call["body"] == {
        "repo": "did:plc:larkspurhomefakeplatform",
        "collection": "app.bsky.feed.post",
        "record": {
            "$type": "app.bsky.feed.post",
            "text": "So sorry! A new one is on its way.",
            "createdAt": ANY,
            "reply": {"root": {"uri": uri, "cid": cid}, "parent": {"uri": uri, "cid": cid}},
        },
    }
    assert call["status"] == 200
    stored = outbound_of(outbound)
    assert (stored.status, stored.message.external_id) == (
        DeliveryStatus.SENT,
        call["response"]["uri"],
    )
    assert stored.message.external_id.startswith("at://did:plc:larkspurhomefakeplatform/")


def test_careline_passes_the_meta_and_x_webhook_verification(fake: FakePlatform) -> None:
    connect(fake, "facebook")
    connect(fake, "x")

    meta = fake.handshake("facebook")
    x = fake.handshake("x")

    assert (meta["ok"], meta["status"], meta["url"]) == (
        True,
        200,
        f"{fake.config.careline_url}/hooks/meta/fake-facebook",
    )
    assert (x["ok"], x["status"]) == (True, 200)
