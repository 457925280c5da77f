"""Account Activity webhooks: the CRC, the signature, and every delivery shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from careline.connectors.base import Action, Handshake, InboundItem, PayloadError
from careline.connectors.x.connector import sign
from careline.connectors.x.payloads import delivery_user_id

from .support import BRAND_ID, connector, fixture, fixture_bytes

SIGNED_BODY = b'{"for_user_id":"2244994945","tweet_create_events":[]}'
SIGNED_BODY_SIGNATURE = "sha256=Lss4bxd6weR99So6MmhnJFpNn8h7oFFhZH5um9Z5oF4="
LIMIT = 20_000


def parse(name: str, **overrides: str) -> list[InboundItem]:
    return connector(**overrides).parse(fixture_bytes(name), max_text_chars=LIMIT)


# --- CRC ------------------------------------------------------------------------------------


def test_the_crc_answer_matches_the_documented_test_vector() -> None:
    answer = connector().handshake({"crc_token": "challenge123"})

    assert answer == Handshake(
        status=200,
        body='{"response_token": "sha256=bduFTUKxcpX6V/Na8ySV0jg4oI1UGafJHo/L5CYtzIo="}',
        content_type="application/json",
    )


def test_a_crc_request_without_a_token_is_refused() -> None:
    answer = connector().handshake({})

    assert answer == Handshake(400, '{"error": "missing crc_token"}', "application/json")


def test_a_crc_request_to_a_channel_without_consumer_secret_is_not_answered() -> None:
    answer = connector(consumer_secret="").handshake({"crc_token": "challenge123"})

    assert answer.status == 503
    assert "response_token" not in answer.body


# --- signature ------------------------------------------------------------------------------


def test_the_signature_matches_the_documented_test_vector() -> None:
    assert sign("test_consumer_secret", SIGNED_BODY) == SIGNED_BODY_SIGNATURE
    assert connector().verify(
        body=SIGNED_BODY, headers={"x-twitter-webhooks-signature": SIGNED_BODY_SIGNATURE}
    )


def test_the_signature_header_is_found_whatever_its_case() -> None:
    assert connector().verify(
        body=SIGNED_BODY, headers={"X-Twitter-Webhooks-Signature": SIGNED_BODY_SIGNATURE}
    )


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-twitter-webhooks-signature": ""},
        {"x-twitter-webhooks-signature": "sha256=" + "A" * 43 + "="},
        # the right digest without the prefix, and the hex form Meta would use
        {"x-twitter-webhooks-signature": SIGNED_BODY_SIGNATURE.removeprefix("sha256=")},
        {
            "x-twitter-webhooks-signature": "sha256=2ecb386f177ac1e47df52a3a32686724"
            "5a4d9f3c87b0a16164"
        },
    ],
    ids=["missing", "empty", "forged", "no-prefix", "hex"],
)
def test_a_missing_or_forged_signature_is_rejected(headers: dict[str, str]) -> None:
    assert not connector().verify(body=SIGNED_BODY, headers=headers)


def test_a_re_serialised_body_no_longer_matches_its_signature() -> None:
    reserialised = json.dumps(json.loads(SIGNED_BODY)).encode()  # adds spaces after , and :

    assert reserialised != SIGNED_BODY
    assert not connector().verify(
        body=reserialised, headers={"x-twitter-webhooks-signature": SIGNED_BODY_SIGNATURE}
    )


def test_no_signature_is_valid_for_a_channel_without_consumer_secret() -> None:
    assert not connector(consumer_secret="").verify(
        body=SIGNED_BODY, headers={"x-twitter-webhooks-signature": sign("", SIGNED_BODY)}
    )


# --- deliveries -----------------------------------------------------------------------------


def test_a_mention_in_v1_1_shape_becomes_one_public_tweet() -> None:
    assert parse("aaa_tweet_create.json") == [
        InboundItem(
            external_id="1800000000000000002",
            author_id="2244994945",
            author_handle="@janedoe",
            author_name="Jane Doe",
            text="@AcmeSupport my package is late",
            created_at=datetime(2024, 6, 20, 16, 0, tzinfo=UTC),
            public=True,
            reply_to="",
            kind="tweet",
            extra={"shape": "v1.1", "lang": "en", "in_reply_to_user_id": BRAND_ID},
        )
    ]


def test_extended_text_is_preferred_and_own_tweets_and_retweets_are_dropped() -> None:
    items = parse("aaa_tweet_create_extended.json")

    assert items == [
        InboundItem(
            external_id="1800000000000000011",
            author_id="2244994945",
            author_handle="@janedoe",
            author_name="Jane Doe",
            text="@AcmeSupport Still nothing & the tracking page says <delivered>. I have been "
            "waiting since Monday, this is the third time I write to you about order 1234. "
            "Photo of my empty porch: https://t.co/xyz789",
            created_at=datetime(2024, 6, 20, 16, 5, 30, tzinfo=UTC),
            public=True,
            reply_to="1800000000000000010",
            kind="tweet",
            extra={
                "shape": "v1.1",
                "lang": "en",
                "in_reply_to_user_id": BRAND_ID,
                "urls": [
                    "https://twitter.com/i/web/status/1800000000000000011",
                    "https://example.com/porch.jpg",
                ],
            },
        ),
        InboundItem(
            external_id="1800000000000000014",
            author_id="5566778899",
            author_handle="@bolee",
            author_name="Bo Lee",
            text="Same here, no package for a week https://t.co/q1",
            created_at=datetime(2024, 6, 20, 16, 9, tzinfo=UTC),
            public=True,
            reply_to="",
            kind="tweet",
            extra={
                "shape": "v1.1",
                "lang": "en",
                "quoted_tweet_id": "1800000000000000002",
                "urls": ["https://twitter.com/janedoe/status/1800000000000000002"],
            },
        ),
    ]


def test_a_direct_message_is_private_and_named_from_the_users_map() -> None:
    assert parse("aaa_direct_message.json") == [
        InboundItem(
            external_id="1800000000000000300",
            author_id="2244994945",
            author_handle="@janedoe",
            author_name="Jane Doe",
            text="Order 1234, please help",
            created_at=datetime(2024, 6, 20, 16, 0, tzinfo=UTC),
            public=False,
            kind="dm",
            extra={"shape": "v1.1", "recipient_id": BRAND_ID},
        )
    ]


def test_the_brands_own_direct_messages_are_dropped() -> None:
    items = parse("aaa_direct_message_echo.json")

    assert [(i.external_id, i.author_id) for i in items] == [("1800000000000000302", "2244994945")]
    assert items[0].created_at == datetime(2024, 6, 20, 16, 2, 0, 456000, tzinfo=UTC)
    assert items[0].text == "Thanks! Here is the label https://t.co/lbl1"
    assert items[0].extra == {
        "shape": "v1.1",
        "recipient_id": BRAND_ID,
        "urls": ["https://example.com/label/1234"],
    }


def test_a_deleted_tweet_becomes_a_delete_item_and_our_own_deletions_are_dropped() -> None:
    assert parse("aaa_tweet_delete.json") == [
        InboundItem(
            external_id="1800000000000000002",
            author_id="2244994945",
            author_handle="",
            author_name="",
            text="",
            created_at=datetime(2024, 6, 20, 16, 15, tzinfo=UTC),
            public=True,
            action=Action.DELETE,
            kind="tweet",
            extra={"shape": "v1.1"},
        )
    ]


def test_likes_follows_and_typing_indicators_are_ignored() -> None:
    assert parse("aaa_other_events.json") == []


def test_v2_tweets_in_a_delivery_are_accepted_bare_or_wrapped() -> None:
    items = parse("aaa_tweet_create_v2.json")

    assert items == [
        InboundItem(
            external_id="1800000000000000020",
            author_id="2244994945",
            author_handle="@janedoe",
            author_name="Jane Doe",
            text="@AcmeSupport where is order 5678?",
            created_at=datetime(2024, 6, 20, 17, 0, tzinfo=UTC),
            public=True,
            reply_to="",
            kind="tweet",
            extra={
                "shape": "v2",
                "conversation_id": "1800000000000000020",
                "lang": "en",
                "in_reply_to_user_id": BRAND_ID,
            },
        ),
        InboundItem(
            external_id="1800000000000000021",
            author_id="5566778899",
            author_handle="@bolee",
            author_name="Bo Lee",
            text="@AcmeSupport thanks, it arrived",
            created_at=datetime(2024, 6, 20, 17, 5, tzinfo=UTC),
            public=True,
            reply_to="1800000000000000010",
            kind="tweet",
            extra={
                "shape": "v2",
                "conversation_id": "1800000000000000010",
                "lang": "en",
                "in_reply_to_user_id": BRAND_ID,
            },
        ),
    ]


def test_a_tweet_without_created_at_takes_its_time_from_its_id() -> None:
    body = json.dumps(
        {
            "for_user_id": BRAND_ID,
            "tweet_create_events": [
                {"id_str": "1212092628029698048", "text": "hi", "user": {"id_str": "42"}}
            ],
        }
    ).encode()

    [item] = connector().parse(body, max_text_chars=LIMIT)

    # X's data dictionary shows this post with created_at 2019-12-31T19:26:16.000Z; the id
    # also carries the milliseconds.
    assert item.created_at == datetime(2019, 12, 31, 19, 26, 16, 771000, tzinfo=UTC)


def test_text_over_the_limit_is_cut_and_its_length_recorded() -> None:
    [item] = connector().parse(fixture_bytes("aaa_tweet_create.json"), max_text_chars=12)

    assert item.text == "@AcmeSupport"
    assert item.extra["text_truncated_from"] == 31


def test_a_delivery_for_another_account_is_refused() -> None:
    with pytest.raises(
        PayloadError, match="for X account 1111111111, but this channel is account 999"
    ):
        parse("aaa_tweet_create.json", user_id="999")


def test_the_receiver_can_read_which_account_a_delivery_is_for() -> None:
    assert delivery_user_id(fixture_bytes("aaa_direct_message.json")) == BRAND_ID
    assert delivery_user_id(b"not json") == ""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "body is not valid JSON"),
        (b"[]", "body must be a JSON object"),
        (b'{"tweet_create_events": {}}', "tweet_create_events must be a list"),
        (b'{"tweet_create_events": [{"text": "x"}]}', r"tweet_create_events\[0\]: event is"),
        (
            b'{"tweet_create_events": [{"id_str": "1", "text": "x", "user": {}}]}',
            r"tweet_create_events\[0\]: tweet 1 has no user.id_str",
        ),
        (
            b'{"tweet_create_events": [{"id_str": "1", "user": {"id_str": "2"}, '
            b'"created_at": "yesterday"}]}',
            "created_at 'yesterday' is not an X v1.1 time",
        ),
        (
            b'{"direct_message_events": [{"type": "message_create", "id": "5", '
            b'"created_timestamp": "1", "message_create": {"message_data": {"text": "x"}}}]}',
            r"direct_message_events\[0\]: direct message 5 has no sender_id",
        ),
        (b'{"tweet_delete_events": [{"status": {}}]}', r"tweet_delete_events\[0\]: tweet delete"),
    ],
)
def test_a_malformed_delivery_is_refused_with_the_reason(body: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        connector().parse(body, max_text_chars=LIMIT)


def test_the_fixture_documents_user_has_blocked_as_a_string() -> None:
    # Section 2.7: "user_has_blocked" may be the string "false"; parsing must not trip on it.
    assert fixture("aaa_tweet_create.json")["user_has_blocked"] == "false"
    assert len(parse("aaa_tweet_create.json")) == 1
