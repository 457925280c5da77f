from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import time_machine

from careline.connectors.base import (
    Action,
    ConnectorError,
    OutboundReply,
    ReplyMode,
    RuleViolation,
    SendResult,
)
from careline.connectors.mastodon import connector as mastodon_module
from careline.connectors.mastodon.connector import MastodonConnector

INSTANCE = "https://mastodon.example"
TOKEN = "tok-123"
BRAND_ID = "109000000000000001"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
KEY = "6f1c1c1e-8f4e-4d4e-9a51-0d8b2f1d7a10"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def mention(notification_id: str, status_id: str, minute: int) -> dict[str, Any]:
    return {
        "id": notification_id,
        "type": "mention",
        "created_at": f"2026-11-02T10:{minute:02d}:00.000Z",
        "account": {"id": "42", "username": "jane", "acct": "jane"},
        "status": {
            "id": status_id,
            "created_at": f"2026-11-02T10:{minute:02d}:00.000Z",
            "in_reply_to_id": None,
            "visibility": "public",
            "content": f"<p>@AcmeSupport question {status_id}</p>",
            "account": {"id": "42", "username": "jane", "acct": "jane", "display_name": "Jane"},
        },
    }


def page(
    *notifications: dict[str, Any], prev_min_id: str = "", host: str = INSTANCE
) -> httpx.Response:
    headers = {}
    if notifications:
        links = [f'<{host}/api/v1/notifications?max_id={notifications[-1]["id"]}>; rel="next"']
        if prev_min_id:
            links.append(f'<{host}/api/v1/notifications?min_id={prev_min_id}>; rel="prev"')
        headers["Link"] = ", ".join(links)
    return httpx.Response(200, json=list(notifications), headers=headers)


def reply(text: str = "Sorry! Checking now.", **overrides: Any) -> OutboundReply:
    fields: dict[str, Any] = {
        "text": text,
        "public": True,
        "reply_to_external_id": "113000000000000100",
        "recipient_external_id": "109000000000000042",
        "idempotency_key": KEY,
    }
    fields.update(overrides)
    return OutboundReply(**fields)


@pytest.fixture
def connector() -> MastodonConnector:
    return MastodonConnector(
        credentials={"instance_url": INSTANCE, "access_token": TOKEN, "account_id": BRAND_ID}
    )


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=INSTANCE, assert_all_called=True) as router:
        yield router


def params_of(route: respx.Route, call: int) -> list[tuple[str, str]]:
    return route.calls[call].request.url.params.multi_items()


# --- polling ----------------------------------------------------------------------------------


def test_the_first_poll_reads_the_newest_page_and_stores_its_newest_id(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    route = api.get("/api/v1/notifications").mock(
        return_value=httpx.Response(200, json=load("notifications_page.json"))
    )

    result = connector.poll(None, timeout=5)

    assert [item.external_id for item in result.items] == [
        "113000000000000201",
        "113000000000000205",
    ]
    assert result.cursor == {"newest_id": "3005"}
    assert params_of(route, 0) == [("types[]", "mention"), ("limit", "40")]
    assert route.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_poll_reads_forward_from_the_cursor_following_the_prev_link(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    route = api.get("/api/v1/notifications").mock(
        side_effect=[
            page(mention("3007", "s7", 7), mention("3006", "s6", 6), prev_min_id="3007"),
            page(mention("3009", "s9", 9), mention("3008", "s8", 8), prev_min_id="3009"),
            page(),
        ]
    )

    result = connector.poll({"newest_id": "3005"}, timeout=5)

    assert [item.external_id for item in result.items] == ["s6", "s7", "s8", "s9"]
    assert result.cursor == {"newest_id": "3009"}
    assert [dict(params_of(route, n))["min_id"] for n in range(3)] == ["3005", "3007", "3009"]
    assert params_of(route, 0) == [("types[]", "mention"), ("limit", "40"), ("min_id", "3005")]


def test_a_poll_with_nothing_new_keeps_the_cursor(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/notifications").mock(return_value=page())

    result = connector.poll({"newest_id": "3005"}, timeout=5)

    assert (result.items, result.cursor) == ([], {"newest_id": "3005"})


def test_ids_compare_as_numbers_not_as_text(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/notifications").mock(
        side_effect=[page(mention("100", "s100", 2), mention("99", "s99", 1)), page()]
    )

    result = connector.poll({"newest_id": "98"}, timeout=5)

    assert [item.external_id for item in result.items] == ["s99", "s100"]
    assert result.cursor == {"newest_id": "100"}


def test_a_flood_is_read_a_bounded_number_of_pages_and_the_next_poll_resumes_without_a_gap(
    connector: MastodonConnector, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mastodon_module, "MAX_PAGES", 2)
    route = api.get("/api/v1/notifications").mock(
        side_effect=[
            page(mention("3002", "s2", 2), mention("3001", "s1", 1), prev_min_id="3002"),
            page(mention("3004", "s4", 4), mention("3003", "s3", 3), prev_min_id="3004"),
            # the next poll
            page(mention("3006", "s6", 6), mention("3005", "s5", 5), prev_min_id="3006"),
            page(),
        ]
    )

    first = connector.poll({"newest_id": "3000"}, timeout=5)
    second = connector.poll(first.cursor, timeout=5)

    assert [item.external_id for item in first.items] == ["s1", "s2", "s3", "s4"]
    assert first.cursor == {"newest_id": "3004"}
    assert [item.external_id for item in second.items] == ["s5", "s6"]
    assert second.cursor == {"newest_id": "3006"}
    assert [dict(params_of(route, n))["min_id"] for n in range(4)] == [
        "3000",
        "3002",
        "3004",
        "3006",
    ]


def test_a_link_to_another_host_is_read_for_its_min_id_but_never_followed(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    route = api.get("/api/v1/notifications").mock(
        side_effect=[
            page(mention("3006", "s6", 6), prev_min_id="3006", host="https://evil.example"),
            page(),
        ]
    )

    connector.poll({"newest_id": "3005"}, timeout=5)

    # respx refuses any request to a host it does not mock, so both went to the instance.
    assert [call.request.url.host for call in route.calls] == [
        "mastodon.example",
        "mastodon.example",
    ]


def test_a_poll_without_a_configured_account_id_asks_who_the_brand_is(
    api: respx.MockRouter,
) -> None:
    connector = MastodonConnector(credentials={"instance_url": INSTANCE, "access_token": TOKEN})
    api.get("/api/v1/notifications").mock(
        return_value=httpx.Response(200, json=load("notifications_page.json"))
    )
    api.get("/api/v1/accounts/verify_credentials").mock(
        return_value=httpx.Response(200, json={"id": BRAND_ID, "acct": "AcmeSupport"})
    )

    result = connector.poll(None, timeout=5)

    # The brand's own status (3003) is still dropped.
    assert [item.external_id for item in result.items] == [
        "113000000000000201",
        "113000000000000205",
    ]


def test_one_unreadable_notification_does_not_stop_the_poll(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    broken = {"id": "3007", "type": "mention", "status": {"id": "s7"}}
    api.get("/api/v1/notifications").mock(
        side_effect=[page(broken, mention("3006", "s6", 6), prev_min_id="3007"), page()]
    )

    result = connector.poll({"newest_id": "3005"}, timeout=5)

    assert [item.external_id for item in result.items] == ["s6"]
    assert result.cursor == {"newest_id": "3007"}


# --- errors -----------------------------------------------------------------------------------


def test_429_is_temporary_and_says_when_to_retry(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/notifications").mock(
        return_value=httpx.Response(
            429,
            json={"error": "Too many requests"},
            headers={"X-RateLimit-Reset": "2026-11-02T10:04:30.000Z", "X-RateLimit-Remaining": "0"},
        )
    )

    with time_machine.travel(NOW, tick=False), pytest.raises(ConnectorError) as caught:
        connector.poll(None, timeout=5)

    error = caught.value
    assert (error.permanent, error.status_code, error.retry_after) == (False, 429, 270.0)
    assert str(error) == "Mastodon listing notifications failed (HTTP 429): Too many requests"


@pytest.mark.parametrize(
    ("status", "body", "permanent", "message"),
    [
        (
            401,
            {"error": "The access token is invalid"},
            True,
            "Mastodon listing notifications failed (HTTP 401): The access token is invalid",
        ),
        (
            403,
            {"error": "This action is outside the authorized scopes"},
            True,
            "Mastodon listing notifications failed (HTTP 403): "
            "This action is outside the authorized scopes",
        ),
        (
            503,
            {"error": "Service Unavailable"},
            False,
            "Mastodon listing notifications failed (HTTP 503): Service Unavailable",
        ),
    ],
)
def test_http_errors_are_permanent_or_temporary_with_the_servers_reason(
    connector: MastodonConnector,
    api: respx.MockRouter,
    status: int,
    body: dict[str, str],
    permanent: bool,
    message: str,
) -> None:
    api.get("/api/v1/notifications").mock(return_value=httpx.Response(status, json=body))

    with pytest.raises(ConnectorError) as caught:
        connector.poll(None, timeout=5)

    assert (caught.value.permanent, caught.value.status_code, str(caught.value)) == (
        permanent,
        status,
        message,
    )


def test_a_timeout_is_temporary(connector: MastodonConnector, api: respx.MockRouter) -> None:
    api.get("/api/v1/notifications").mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(ConnectorError) as caught:
        connector.poll(None, timeout=5)

    assert (caught.value.permanent, str(caught.value)) == (
        False,
        "Mastodon listing notifications timed out after 5 s",
    )


def test_a_channel_without_an_instance_url_fails_for_good() -> None:
    connector = MastodonConnector(credentials={"access_token": TOKEN})

    with pytest.raises(ConnectorError) as caught:
        connector.poll(None, timeout=5)

    assert caught.value.permanent is True


def test_mastodon_sends_no_webhooks_so_verify_refuses_everything(
    connector: MastodonConnector,
) -> None:
    assert connector.verify(body=b"[]", headers={"Authorization": f"Bearer {TOKEN}"}) is False


# --- sending ----------------------------------------------------------------------------------


def original(visibility: str, *, acct: str = "jane@other.example") -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "113000000000000100",
            "visibility": visibility,
            "account": {"id": "109000000000000042", "username": "jane", "acct": acct},
        },
    )


def test_a_public_reply_is_posted_once_with_the_mention_and_the_idempotency_key(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/statuses/113000000000000100").mock(return_value=original("public"))
    post = api.post("/api/v1/statuses").mock(
        return_value=httpx.Response(200, json={"id": "113000000000000400"})
    )

    result = connector.send(reply(), timeout=5)

    assert result == SendResult(external_id="113000000000000400", status_code=200)
    request = post.calls.last.request
    assert json.loads(request.content) == {
        "status": "@jane@other.example Sorry! Checking now.",
        "visibility": "public",
        "in_reply_to_id": "113000000000000100",
    }
    assert request.headers["Idempotency-Key"] == KEY
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"


def test_a_reply_that_already_starts_with_the_mention_is_sent_as_written(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/statuses/113000000000000100").mock(return_value=original("unlisted"))
    post = api.post("/api/v1/statuses").mock(return_value=httpx.Response(200, json={"id": "9"}))

    connector.send(reply("@jane@other.example On it!"), timeout=5)

    assert json.loads(post.calls.last.request.content) == {
        "status": "@jane@other.example On it!",
        "visibility": "unlisted",
        "in_reply_to_id": "113000000000000100",
    }


def test_a_public_reply_to_a_followers_only_post_goes_out_direct(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/statuses/113000000000000100").mock(return_value=original("private"))
    post = api.post("/api/v1/statuses").mock(return_value=httpx.Response(200, json={"id": "9"}))

    connector.send(reply(), timeout=5)

    assert json.loads(post.calls.last.request.content)["visibility"] == "direct"


def test_a_direct_message_reply_is_direct_and_mentions_the_person(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/statuses/113000000000000101").mock(
        return_value=httpx.Response(
            200,
            json={
                "id": "113000000000000101",
                "visibility": "direct",
                "account": {"id": "109000000000000043", "acct": "bob"},
            },
        )
    )
    post = api.post("/api/v1/statuses").mock(return_value=httpx.Response(200, json={"id": "9"}))

    connector.send(
        reply("Got it, thanks.", public=False, reply_to_external_id="113000000000000101"),
        timeout=5,
    )

    assert json.loads(post.calls.last.request.content) == {
        "status": "@bob Got it, thanks.",
        "visibility": "direct",
        "in_reply_to_id": "113000000000000101",
    }


def test_a_message_without_a_post_to_answer_is_addressed_to_the_person(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/accounts/109000000000000043").mock(
        return_value=httpx.Response(200, json={"id": "109000000000000043", "acct": "bob"})
    )
    post = api.post("/api/v1/statuses").mock(return_value=httpx.Response(200, json={"id": "9"}))

    connector.send(
        reply(
            "Hello",
            public=False,
            reply_to_external_id="",
            recipient_external_id="109000000000000043",
            mode=ReplyMode.MESSAGE,
        ),
        timeout=5,
    )

    assert json.loads(post.calls.last.request.content) == {
        "status": "@bob Hello",
        "visibility": "direct",
    }


def test_a_reply_too_long_once_the_mention_is_added_is_not_posted(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/statuses/113000000000000100").mock(return_value=original("public"))

    with pytest.raises(ConnectorError) as caught:
        connector.send(reply("x" * 495), timeout=5)

    assert (caught.value.permanent, str(caught.value)) == (
        True,
        "the reply is 501 characters once it starts with @jane@other.example; Mastodon allows 500",
    )


def test_a_refused_status_fails_for_good_with_mastodons_reason(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/statuses/113000000000000100").mock(return_value=original("public"))
    api.post("/api/v1/statuses").mock(
        return_value=httpx.Response(422, json={"error": "Validation failed: Text can't be blank"})
    )

    with pytest.raises(ConnectorError) as caught:
        connector.send(reply(), timeout=5)

    assert (caught.value.permanent, caught.value.status_code, str(caught.value)) == (
        True,
        422,
        "Mastodon posting the reply failed (HTTP 422): Validation failed: Text can't be blank",
    )


def test_a_deleted_original_fails_for_good(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/statuses/113000000000000100").mock(
        return_value=httpx.Response(404, json={"error": "Record not found"})
    )

    with pytest.raises(ConnectorError) as caught:
        connector.send(reply(), timeout=5)

    assert (caught.value.permanent, str(caught.value)) == (
        True,
        "Mastodon looking up the post being answered failed (HTTP 404): Record not found",
    )


# --- rules ------------------------------------------------------------------------------------


def test_a_reply_of_500_characters_passes_and_501_is_refused(
    connector: MastodonConnector,
) -> None:
    connector.check(reply("x" * 500), now=NOW)

    with pytest.raises(RuleViolation) as caught:
        connector.check(reply("x" * 501), now=NOW)

    assert str(caught.value) == (
        "Too long for Mastodon: 501 characters, the limit is 500 (a link counts as 23)."
    )


def test_a_long_link_counts_as_23_characters(connector: MastodonConnector) -> None:
    text = "y" * 470 + " https://track.example/" + "z" * 200

    connector.check(reply(text), now=NOW)  # 470 + 1 + 23 = 494


def test_an_instance_with_a_higher_limit_is_honoured() -> None:
    connector = MastodonConnector(
        credentials={"instance_url": INSTANCE, "access_token": TOKEN, "max_characters": "1000"}
    )

    connector.check(reply("x" * 1000), now=NOW)
    with pytest.raises(RuleViolation):
        connector.check(reply("x" * 1001), now=NOW)


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_an_empty_reply_is_refused(connector: MastodonConnector, text: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        connector.check(reply(text), now=NOW)

    assert str(caught.value) == "The reply is empty."


# --- find_sent --------------------------------------------------------------------------------


def test_find_sent_finds_the_brands_reply_to_the_same_post_with_the_same_text(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    listing = api.get(f"/api/v1/accounts/{BRAND_ID}/statuses").mock(
        return_value=httpx.Response(
            200,
            json=[
                {"id": "501", "in_reply_to_id": "113000000000000999"},
                {"id": "502", "in_reply_to_id": "113000000000000100"},
                {"id": "503", "in_reply_to_id": "113000000000000100"},
            ],
        )
    )
    api.get("/api/v1/statuses/502/source").mock(
        return_value=httpx.Response(200, json={"id": "502", "text": "@jane@other.example Other"})
    )
    api.get("/api/v1/statuses/503/source").mock(
        return_value=httpx.Response(
            200, json={"id": "503", "text": "@jane@other.example Sorry! Checking now."}
        )
    )

    found = connector.find_sent(reply(), timeout=5)

    assert found == SendResult(external_id="503", status_code=200)
    assert params_of(listing, 0) == [("limit", "40"), ("exclude_reblogs", "true")]


def test_find_sent_returns_none_when_the_reply_never_went_out(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get(f"/api/v1/accounts/{BRAND_ID}/statuses").mock(
        return_value=httpx.Response(200, json=[{"id": "501", "in_reply_to_id": "7"}])
    )

    assert connector.find_sent(reply(), timeout=5) is None


# --- moderation -------------------------------------------------------------------------------


def test_hiding_is_refused_without_calling_mastodon(connector: MastodonConnector) -> None:
    with pytest.raises(ConnectorError) as caught:
        connector.moderate("113000000000000100", Action.HIDE, timeout=5)

    assert (caught.value.permanent, str(caught.value)) == (
        True,
        "Mastodon cannot hide posts: an account can delete only its own. Mute, block or report "
        "the author on Mastodon instead",
    )


def test_deleting_someone_elses_post_is_refused_with_the_reason(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/statuses/113000000000000100").mock(return_value=original("public"))

    with pytest.raises(ConnectorError) as caught:
        connector.moderate("113000000000000100", Action.DELETE, timeout=5)

    assert (caught.value.permanent, str(caught.value)) == (
        True,
        "Mastodon lets an account delete only its own posts; this one is by "
        "@jane@other.example. Mute, block or report it on Mastodon instead",
    )


def test_the_brand_can_delete_its_own_post(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/statuses/113000000000000400").mock(
        return_value=httpx.Response(
            200, json={"id": "113000000000000400", "account": {"id": BRAND_ID, "acct": "Acme"}}
        )
    )
    deleted = api.delete("/api/v1/statuses/113000000000000400").mock(
        return_value=httpx.Response(200, json={"id": "113000000000000400"})
    )

    connector.moderate("113000000000000400", Action.DELETE, timeout=5)

    assert deleted.call_count == 1


# --- streaming --------------------------------------------------------------------------------


def test_the_stream_yields_mentions_as_they_arrive(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    route = api.get("/api/v1/streaming/user/notification").mock(
        return_value=httpx.Response(
            200,
            content=(FIXTURES / "stream_user_notification.txt").read_bytes(),
            headers={"Content-Type": "text/event-stream"},
        )
    )

    items = list(connector.stream(timeout=30))

    assert [(item.external_id, item.kind) for item in items] == [
        ("113000000000000300", "mention"),
        ("113000000000000301", "dm"),
    ]
    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Accept"] == "text/event-stream"


def test_the_raw_stream_gives_each_notification_payload_for_storage(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/streaming/user/notification").mock(
        return_value=httpx.Response(
            200, content=(FIXTURES / "stream_user_notification.txt").read_bytes()
        )
    )

    payloads = list(connector.stream_notifications(timeout=30))

    assert [payload[:14] for payload in payloads] == [
        '{"id": "3010",',
        '{"id": "3011",',
        '{"id": "3013",',
        '{"id": "3012",',
    ]
    assert [
        item.external_id for item in connector.parse(payloads[0].encode(), max_text_chars=99)
    ] == ["113000000000000300"]


def test_a_refused_stream_raises_a_permanent_error(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/streaming/user/notification").mock(
        return_value=httpx.Response(401, json={"error": "The access token is invalid"})
    )

    with pytest.raises(ConnectorError) as caught:
        list(connector.stream(timeout=30))

    assert (caught.value.permanent, str(caught.value)) == (
        True,
        "Mastodon opening the stream failed (HTTP 401): The access token is invalid",
    )


def test_a_silent_stream_raises_a_temporary_error(
    connector: MastodonConnector, api: respx.MockRouter
) -> None:
    api.get("/api/v1/streaming/user/notification").mock(side_effect=httpx.ReadTimeout("quiet"))

    with pytest.raises(ConnectorError) as caught:
        list(connector.stream(timeout=30))

    assert (caught.value.permanent, str(caught.value)) == (
        False,
        "the stream was silent for more than 30 s",
    )
