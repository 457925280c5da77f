"""Keyword listening: filtered-stream lines and keeping the stream rules in sync."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
import respx

from careline.connectors.base import ConnectorError, InboundItem, PayloadError

from .support import API, BEARER, BRAND_ID, connector, fixture, stream_line

RULES = API + "/tweets/search/stream/rules"


@pytest.mark.parametrize("line", [b"", b"\r\n", b"  \n"])
def test_a_blank_keep_alive_line_is_no_item(line: bytes) -> None:
    assert connector().parse_stream_line(line) is None


def test_a_post_that_mentions_the_brand_is_addressed() -> None:
    assert connector().parse_stream_line(stream_line("stream_addressed.json")) == InboundItem(
        external_id="1800000000000000040",
        author_id="2244994945",
        author_handle="@janedoe",
        author_name="Jane Doe",
        text="@AcmeSupport the app crashes at checkout",
        created_at=datetime(2024, 6, 20, 19, 0, tzinfo=UTC),
        public=True,
        indirect=False,
        kind="tweet",
        extra={
            "shape": "v2",
            "conversation_id": "1800000000000000040",
            "lang": "en",
            "matching_rules": [{"id": "1801000000000000001", "tag": "careline"}],
        },
    )


def test_a_keyword_match_that_does_not_address_the_brand_is_indirect() -> None:
    item = connector().parse_stream_line(stream_line("stream_keyword.json"))

    assert item is not None
    assert (item.external_id, item.author_handle, item.indirect) == (
        "1800000000000000041",
        "@bolee",
        True,
    )
    assert item.text == "acme checkout is broken again >:("


def test_a_reply_to_the_brand_without_a_mention_is_addressed() -> None:
    document = fixture("stream_keyword.json")
    document["data"]["in_reply_to_user_id"] = BRAND_ID

    item = connector().parse_stream_line(json.dumps(document).encode())

    assert item is not None
    assert item.indirect is False


def test_the_brands_own_posts_and_retweets_on_the_stream_are_no_items() -> None:
    own = fixture("stream_addressed.json")
    own["data"]["author_id"] = BRAND_ID
    retweet = fixture("stream_keyword.json")
    retweet["data"]["referenced_tweets"] = [{"type": "retweeted", "id": "1"}]

    assert connector().parse_stream_line(json.dumps(own).encode()) is None
    assert connector().parse_stream_line(json.dumps(retweet).encode()) is None


def test_a_system_message_on_the_stream_is_no_item() -> None:
    assert connector().parse_stream_line(stream_line("stream_disconnect.json")) is None


def test_a_line_that_is_not_json_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="stream line is not valid JSON"):
        connector().parse_stream_line(b'{"data": {"id": "1"')


@respx.mock
def test_rules_sync_adds_missing_keywords_and_deletes_unwanted_careline_rules() -> None:
    listed = respx.get(RULES).mock(
        return_value=httpx.Response(200, json=fixture("stream_rules_list.json"))
    )
    changed = respx.post(RULES).mock(
        side_effect=[
            httpx.Response(200, json=fixture("stream_rules_deleted.json")),
            httpx.Response(200, json=fixture("stream_rules_added.json")),
        ]
    )

    result = connector().sync_stream_rules(
        ["acme checkout", "acme parcel late", "acme (broken", "@AcmeSupport -is:retweet", " "]
    )

    assert listed.calls.last.request.headers["Authorization"] == "Bearer " + BEARER
    delete_request, add_request = (call.request for call in changed.calls)
    assert json.loads(delete_request.content) == {"delete": {"ids": ["1801000000000000002"]}}
    assert json.loads(add_request.content) == {
        "add": [
            {"value": "acme parcel late", "tag": "careline"},
            {"value": "acme (broken", "tag": "careline"},
        ]
    }
    assert add_request.headers["Authorization"] == "Bearer " + BEARER
    assert result == {
        "added": ["acme parcel late"],
        "deleted": ["acme refund"],
        "kept": ["acme checkout", "@AcmeSupport -is:retweet"],
        "errors": fixture("stream_rules_added.json")["errors"],
    }


@respx.mock
def test_rules_sync_reads_keywords_from_the_credentials_and_changes_nothing_when_in_sync() -> None:
    respx.get(RULES).mock(return_value=httpx.Response(200, json=fixture("stream_rules_list.json")))
    changed = respx.post(RULES)

    result = connector(keywords=["acme checkout", "acme refund"]).sync_stream_rules()

    assert not changed.called
    assert result == {
        "added": [],
        "deleted": [],
        "kept": ["acme checkout", "acme refund"],
        "errors": [],
    }


@respx.mock
def test_rules_sync_with_no_rules_yet_adds_every_keyword() -> None:
    respx.get(RULES).mock(return_value=httpx.Response(200, json={"meta": {"result_count": 0}}))
    added = respx.post(RULES).mock(
        return_value=httpx.Response(
            201, json={"data": [{"value": "acme", "tag": "careline", "id": "9"}]}
        )
    )

    result = connector().sync_stream_rules(["acme"])

    assert json.loads(added.calls.last.request.content) == {
        "add": [{"value": "acme", "tag": "careline"}]
    }
    assert result["added"] == ["acme"]


def test_rules_sync_needs_the_app_bearer_token() -> None:
    with pytest.raises(ConnectorError, match="no bearer_token") as caught:
        connector(bearer_token="").sync_stream_rules(["acme"])

    assert caught.value.permanent
