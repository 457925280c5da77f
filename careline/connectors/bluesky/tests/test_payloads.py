from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from careline.connectors.base import InboundItem, PayloadError
from careline.connectors.bluesky.connector import BlueskyConnector
from careline.connectors.bluesky.payloads import post_record, reply_refs, split_at_uri

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BRAND = "did:plc:acmesupport00000000000000"
JANE = "did:plc:jane0000000000000000000000"
ZOE = "did:plc:zoe00000000000000000000000"
BRAND_POST = f"at://{BRAND}/app.bsky.feed.post/3m4brandpost1a"
BRAND_REPLY = f"at://{BRAND}/app.bsky.feed.post/3m4brandreply2b"
ZOE_REPLY = f"at://{ZOE}/app.bsky.feed.post/3m4zoereply00003"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def connector() -> BlueskyConnector:
    return BlueskyConnector(
        credentials={"handle": "acmesupport.bsky.social", "app_password": "x", "did": BRAND}
    )


def test_a_mention_fixture_parses_to_exactly_this_item(connector: BlueskyConnector) -> None:
    items = connector.parse(fixture_bytes("notification_mention.json"), max_text_chars=20_000)

    assert items == [
        InboundItem(
            external_id=f"at://{JANE}/app.bsky.feed.post/3m4janemention1",
            author_id=JANE,
            author_handle="@jane.example.com",
            author_name="Jane Doe",
            text="Café crème 🇫🇷 @acmesupport.bsky.social where is order #1234?",
            created_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
            public=True,
            reply_to="",
            kind="mention",
            extra={
                "cid": "bafyreijanemention1",
                "reason": "mention",
                "indexed_at": "2026-11-02T09:00:01.500Z",
                "langs": ["fr", "en"],
            },
        )
    ]


def test_a_reply_fixture_keeps_what_answering_it_needs(connector: BlueskyConnector) -> None:
    [item] = connector.parse(fixture_bytes("notification_reply.json"), max_text_chars=20_000)

    assert (item.external_id, item.author_id, item.author_handle, item.author_name) == (
        ZOE_REPLY,
        ZOE,
        "@zoe.bsky.social",
        "Zoé ✨",
    )
    assert (item.text, item.reply_to, item.kind, item.public) == (
        "Still no refund 😞 — 3 weeks now",
        BRAND_REPLY,
        "reply",
        True,
    )
    assert item.created_at == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    assert item.extra == {
        "cid": "bafyreizoereply3",
        "reason": "reply",
        "indexed_at": "2026-11-02T09:30:00.800Z",
        "root_uri": BRAND_POST,
        "root_cid": "bafyreibrandpost1",
        "parent_uri": BRAND_REPLY,
        "parent_cid": "bafyreibrandreply2",
        "langs": ["en"],
    }


def test_a_page_keeps_mentions_and_replies_oldest_first_without_likes_or_the_brand(
    connector: BlueskyConnector,
) -> None:
    items = connector.parse(fixture_bytes("list_notifications_page.json"), max_text_chars=20_000)

    assert [(item.external_id, item.kind) for item in items] == [
        (f"at://{JANE}/app.bsky.feed.post/3m4janemention1", "mention"),
        (ZOE_REPLY, "reply"),
    ]


def test_a_reply_that_also_mentions_the_brand_is_one_item(connector: BlueskyConnector) -> None:
    reply = json.loads(fixture_bytes("notification_reply.json"))
    as_mention = {**reply, "reason": "mention"}

    items = connector.parse(json.dumps([reply, as_mention]).encode(), max_text_chars=20_000)

    assert [(item.external_id, item.kind) for item in items] == [(ZOE_REPLY, "reply")]


def test_a_post_with_a_bad_created_at_falls_back_to_when_bluesky_indexed_it(
    connector: BlueskyConnector,
) -> None:
    note = json.loads(fixture_bytes("notification_mention.json"))
    note["record"]["createdAt"] = "yesterday"

    [item] = connector.parse(json.dumps(note).encode(), max_text_chars=20_000)

    assert item.created_at == datetime(2026, 11, 2, 9, 0, 1, 500000, tzinfo=UTC)


def test_text_longer_than_the_limit_is_cut_and_marked(connector: BlueskyConnector) -> None:
    [item] = connector.parse(fixture_bytes("notification_mention.json"), max_text_chars=4)

    assert (item.text, item.extra["truncated"]) == ("Café", True)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>", "body is not valid JSON"),
        (b'"text"', "expected a notification, a list of them or a listNotifications page"),
        (b'{"notifications": {}}', "notifications must be a list"),
        (
            json.dumps({"reason": "mention", "record": {"text": "hi"}}).encode(),
            "notification 0: mention notification has no author DID",
        ),
        (
            json.dumps(
                {"reason": "reply", "uri": "https://x", "author": {"did": JANE}, "record": {}}
            ).encode(),
            "notification 0: reply notification has no at:// uri",
        ),
    ],
)
def test_parse_refuses_a_malformed_body_and_says_why(
    connector: BlueskyConnector, body: bytes, message: str
) -> None:
    with pytest.raises(PayloadError) as caught:
        connector.parse(body, max_text_chars=20_000)

    assert str(caught.value).startswith(message)


def test_answering_a_reply_keeps_its_thread_root() -> None:
    parent = json.loads(fixture_bytes("get_posts_reply.json"))["posts"][0]

    assert reply_refs(parent) == {
        "root": {"uri": BRAND_POST, "cid": "bafyreibrandpost1"},
        "parent": {"uri": ZOE_REPLY, "cid": "bafyreizoereply3"},
    }


def test_answering_a_top_level_post_makes_it_the_root() -> None:
    post = {"uri": BRAND_POST, "cid": "bafyreibrandpost1", "record": {"text": "Sale!"}}

    assert reply_refs(post) == {
        "root": {"uri": BRAND_POST, "cid": "bafyreibrandpost1"},
        "parent": {"uri": BRAND_POST, "cid": "bafyreibrandpost1"},
    }


def test_a_post_record_has_the_lexicon_fields_and_only_the_optional_ones_given() -> None:
    record = post_record(
        text="Hi", created_at=datetime(2026, 11, 2, 10, 0, 0, 123456, tzinfo=UTC), reply=None
    )

    assert record == {
        "$type": "app.bsky.feed.post",
        "text": "Hi",
        "createdAt": "2026-11-02T10:00:00.123Z",
    }


def test_an_at_uri_splits_into_repo_collection_and_record_key() -> None:
    assert split_at_uri(BRAND_POST) == (BRAND, "app.bsky.feed.post", "3m4brandpost1a")
    with pytest.raises(PayloadError):
        split_at_uri(f"at://{BRAND}/app.bsky.feed.post")
