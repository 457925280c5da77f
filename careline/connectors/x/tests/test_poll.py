"""Polling the mentions timeline: since_id, pagination, cursor advance and resumption."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
import respx

from careline.connectors.base import ConnectorError, InboundItem
from careline.connectors.x import connector as x_connector

from .support import API, BEARER, BRAND_ID, USER_TOKEN, connector, fixture

MENTIONS = f"{API}/users/{BRAND_ID}/mentions"
FIELDS = {
    "max_results": "100",
    "tweet.fields": "author_id,created_at,conversation_id,in_reply_to_user_id,"
    "referenced_tweets,entities,lang,note_tweet",
    "expansions": "author_id,referenced_tweets.id",
    "user.fields": "username,name,public_metrics",
}
PAGE1_TOKEN = "7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i"


def sent_params(route: respx.Route) -> list[dict[str, str]]:
    return [dict(call.request.url.params) for call in route.calls]


@respx.mock
def test_a_poll_asks_since_the_stored_id_and_follows_pages_to_the_end() -> None:
    route = respx.get(MENTIONS).mock(
        side_effect=[
            httpx.Response(200, json=fixture("mentions_page1.json")),
            httpx.Response(200, json=fixture("mentions_page2.json")),
        ]
    )

    result = connector().poll({"since_id": "1799999999999999000"}, timeout=5)

    assert sent_params(route) == [
        {**FIELDS, "since_id": "1799999999999999000"},
        {**FIELDS, "since_id": "1799999999999999000", "pagination_token": PAGE1_TOKEN},
    ]
    assert route.calls.last.request.headers["Authorization"] == "Bearer " + BEARER
    # the retweet on page 2 is dropped; items come oldest first
    assert [item.external_id for item in result.items] == [
        "1799999999999999990",
        "1800000000000000002",
    ]
    assert result.cursor == {"since_id": "1800000000000000002"}


@respx.mock
def test_a_polled_mention_reads_reply_to_and_author_from_the_v2_shape() -> None:
    respx.get(MENTIONS).mock(
        side_effect=[
            httpx.Response(200, json=fixture("mentions_page1.json")),
            httpx.Response(200, json=fixture("mentions_empty.json")),
        ]
    )

    result = connector().poll({"since_id": "1"}, timeout=5)

    assert result.items == [
        InboundItem(
            external_id="1800000000000000002",
            author_id="2244994945",
            author_handle="@janedoe",
            author_name="Jane Doe",
            text="@AcmeSupport my package is late",
            created_at=datetime(2024, 6, 20, 16, 0, tzinfo=UTC),
            public=True,
            reply_to="1800000000000000001",
            kind="tweet",
            extra={
                "shape": "v2",
                "conversation_id": "1800000000000000001",
                "lang": "en",
                "in_reply_to_user_id": BRAND_ID,
            },
        )
    ]


@respx.mock
def test_a_poll_with_nothing_new_keeps_the_cursor() -> None:
    respx.get(MENTIONS).mock(return_value=httpx.Response(200, json=fixture("mentions_empty.json")))

    result = connector().poll({"since_id": "1800000000000000002"}, timeout=5)

    assert (result.items, result.cursor) == ([], {"since_id": "1800000000000000002"})


@respx.mock
def test_the_first_poll_reads_one_page_and_starts_from_its_newest_mention() -> None:
    route = respx.get(MENTIONS).mock(
        return_value=httpx.Response(200, json=fixture("mentions_page1.json"))
    )

    result = connector().poll(None, timeout=5)

    assert sent_params(route) == [FIELDS]
    assert [item.external_id for item in result.items] == ["1800000000000000002"]
    assert result.cursor == {"since_id": "1800000000000000002"}


@respx.mock
def test_a_long_backlog_stops_at_the_page_bound_and_the_next_poll_continues_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(x_connector, "MAX_PAGES_PER_POLL", 1)
    route = respx.get(MENTIONS).mock(
        side_effect=[
            httpx.Response(200, json=fixture("mentions_page1.json")),
            httpx.Response(200, json=fixture("mentions_page2.json")),
        ]
    )
    x = connector()

    first = x.poll({"since_id": "1799999999999999000"}, timeout=5)

    assert [item.external_id for item in first.items] == ["1800000000000000002"]
    assert first.cursor == {
        "since_id": "1799999999999999000",
        "pagination_token": PAGE1_TOKEN,
        "walk_newest_id": "1800000000000000002",
    }

    # A restart: a fresh connector from the stored cursor, as the scheduler would build it.
    second = connector().poll(dict(first.cursor), timeout=5)

    assert sent_params(route)[1] == {
        **FIELDS,
        "since_id": "1799999999999999000",
        "pagination_token": PAGE1_TOKEN,
    }
    assert [item.external_id for item in second.items] == ["1799999999999999990"]
    assert second.cursor == {"since_id": "1800000000000000002"}


@respx.mock
def test_a_page_token_x_no_longer_accepts_restarts_the_walk_from_since_id() -> None:
    route = respx.get(MENTIONS).mock(
        side_effect=[
            httpx.Response(400, json={"title": "Invalid Request", "detail": "bad token"}),
            httpx.Response(200, json=fixture("mentions_page2.json")),
        ]
    )

    result = connector().poll(
        {"since_id": "5", "pagination_token": "expired", "walk_newest_id": "1800000000000000002"},
        timeout=5,
    )

    assert sent_params(route) == [
        {**FIELDS, "since_id": "5", "pagination_token": "expired"},
        {**FIELDS, "since_id": "5"},
    ]
    assert [item.external_id for item in result.items] == ["1799999999999999990"]
    # the newest id of the abandoned walk is not lost
    assert result.cursor == {"since_id": "1800000000000000002"}


@respx.mock
def test_a_failure_after_some_pages_keeps_their_items_and_resumes_at_the_failed_page() -> None:
    respx.get(MENTIONS).mock(
        side_effect=[
            httpx.Response(200, json=fixture("mentions_page1.json")),
            httpx.Response(503, json={"title": "Service Unavailable"}),
        ]
    )

    result = connector().poll({"since_id": "5"}, timeout=5)

    assert [item.external_id for item in result.items] == ["1800000000000000002"]
    assert result.cursor == {
        "since_id": "5",
        "pagination_token": PAGE1_TOKEN,
        "walk_newest_id": "1800000000000000002",
    }


@respx.mock
def test_a_poll_that_fetches_nothing_raises_a_temporary_error() -> None:
    respx.get(MENTIONS).mock(side_effect=httpx.ConnectTimeout("slow"))

    with pytest.raises(ConnectorError, match="did not answer within 5 s") as caught:
        connector().poll({"since_id": "5"}, timeout=5)

    assert caught.value.permanent is False


@respx.mock
def test_partial_errors_beside_data_are_recorded_on_the_affected_item() -> None:
    respx.get(MENTIONS).mock(
        return_value=httpx.Response(200, json=fixture("mentions_partial_errors.json"))
    )

    result = connector().poll({"since_id": "5"}, timeout=5)

    [item] = result.items
    assert item.reply_to == "1800000000000000029"
    assert item.extra["api_errors"] == [
        {
            "title": "Not Found Error",
            "detail": "Could not find tweet with referenced_tweets.id: [1800000000000000029].",
            "resource_type": "tweet",
            "resource_id": "1800000000000000029",
        }
    ]
    assert result.cursor == {"since_id": "1800000000000000030"}


@respx.mock
def test_reads_fall_back_to_the_user_token_without_a_bearer_token() -> None:
    route = respx.get(MENTIONS).mock(
        return_value=httpx.Response(200, json=fixture("mentions_empty.json"))
    )

    connector(bearer_token="").poll({"since_id": "5"}, timeout=5)

    assert route.calls.last.request.headers["Authorization"] == "Bearer " + USER_TOKEN


def test_the_user_id_falls_back_to_the_channel_account_id() -> None:
    x = x_connector.XConnector(credentials={"bearer_token": "t"}, account_id="42")

    assert x.user_id == "42"


@respx.mock
def test_an_unreadable_post_on_a_page_is_skipped_and_the_cursor_still_advances() -> None:
    page = fixture("mentions_page1.json")
    page["data"].insert(0, {"id": "1800000000000000003", "text": "no author"})
    page["meta"]["newest_id"] = "1800000000000000003"
    del page["meta"]["next_token"]
    respx.get(MENTIONS).mock(return_value=httpx.Response(200, json=page))

    result = connector().poll({"since_id": "5"}, timeout=5)

    assert [item.external_id for item in result.items] == ["1800000000000000002"]
    assert result.cursor == {"since_id": "1800000000000000003"}
