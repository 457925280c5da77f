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
from careline.connectors.bluesky import connector as bluesky_module
from careline.connectors.bluesky.connector import BlueskyConnector

PDS = "https://pds.example"
BRAND = "did:plc:acmesupport00000000000000"
JANE = "did:plc:jane0000000000000000000000"
ZOE = "did:plc:zoe00000000000000000000000"
ZOE_REPLY = f"at://{ZOE}/app.bsky.feed.post/3m4zoereply00003"
BRAND_POST = f"at://{BRAND}/app.bsky.feed.post/3m4brandpost1a"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
NOTIFICATIONS = "/xrpc/app.bsky.notification.listNotifications"
CREATE_SESSION = "/xrpc/com.atproto.server.createSession"
REFRESH_SESSION = "/xrpc/com.atproto.server.refreshSession"
SENT_TEXT = "Sorry Zoé! We're checking your refund now."


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def session(n: int = 1, did: str = BRAND) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "accessJwt": f"access-{n}",
            "refreshJwt": f"refresh-{n}",
            "did": did,
            "handle": "acmesupport.bsky.social",
        },
    )


def note(rkey: str, indexed_at: str, *, reason: str = "mention") -> dict[str, Any]:
    return {
        "uri": f"at://{JANE}/app.bsky.feed.post/{rkey}",
        "cid": f"bafy{rkey}",
        "author": {"did": JANE, "handle": "jane.example.com", "displayName": "Jane"},
        "reason": reason,
        "record": {
            "$type": "app.bsky.feed.post",
            "text": f"@acmesupport.bsky.social question {rkey}",
            "createdAt": indexed_at,
        },
        "isRead": False,
        "indexedAt": indexed_at,
    }


def listing(*notes: dict[str, Any], cursor: str = "") -> httpx.Response:
    body: dict[str, Any] = {"notifications": list(notes)}
    if cursor:
        body["cursor"] = cursor
    return httpx.Response(200, json=body)


def no_earlier_post(api: respx.MockRouter) -> respx.Route:
    return api.get("/xrpc/app.bsky.feed.getAuthorFeed").mock(
        return_value=httpx.Response(200, json={"feed": []})
    )


def reply(text: str = SENT_TEXT, **overrides: Any) -> OutboundReply:
    fields: dict[str, Any] = {
        "text": text,
        "public": True,
        "reply_to_external_id": ZOE_REPLY,
        "recipient_external_id": ZOE,
        "idempotency_key": "0b7c1f0e-1d7e-4f7a-a1c4-6ad1f0b2c3d4",
    }
    fields.update(overrides)
    return OutboundReply(**fields)


def credentials(**extra: Any) -> dict[str, Any]:
    return {
        "service": PDS,
        "handle": "@acmesupport.bsky.social",
        "app_password": "abcd-efgh-ijkl-mnop",
        "did": BRAND,
        **extra,
    }


@pytest.fixture
def connector() -> BlueskyConnector:
    return BlueskyConnector(credentials=credentials(langs="en"))


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=PDS, assert_all_called=True) as router:
        yield router


def params_of(route: respx.Route, call: int) -> list[tuple[str, str]]:
    return route.calls[call].request.url.params.multi_items()


# --- session ----------------------------------------------------------------------------------


def test_it_signs_in_with_the_app_password_and_uses_the_access_token(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    login = api.post(CREATE_SESSION).mock(return_value=session())
    notes = api.get(NOTIFICATIONS).mock(
        return_value=httpx.Response(200, json=load("list_notifications_page.json"))
    )

    connector.poll(None, timeout=5)

    assert json.loads(login.calls.last.request.content) == {
        "identifier": "acmesupport.bsky.social",
        "password": "abcd-efgh-ijkl-mnop",
    }
    assert "Authorization" not in login.calls.last.request.headers
    assert notes.calls.last.request.headers["Authorization"] == "Bearer access-1"
    assert connector.session_changed is True
    assert connector.session_tokens() == {"access_jwt": "access-1", "refresh_jwt": "refresh-1"}


@pytest.mark.parametrize("status", [400, 401])
def test_an_expired_access_token_is_refreshed_and_the_call_repeated(
    api: respx.MockRouter, status: int
) -> None:
    connector = BlueskyConnector(
        credentials=credentials(access_jwt="stored-access", refresh_jwt="stored-refresh")
    )
    notes = api.get(NOTIFICATIONS).mock(
        side_effect=[
            httpx.Response(status, json={"error": "ExpiredToken", "message": "Token has expired"}),
            listing(),
        ]
    )
    refresh = api.post(REFRESH_SESSION).mock(return_value=session(2))

    connector.poll(None, timeout=5)

    assert [call.request.headers["Authorization"] for call in notes.calls] == [
        "Bearer stored-access",
        "Bearer access-2",
    ]
    assert refresh.calls.last.request.headers["Authorization"] == "Bearer stored-refresh"
    assert connector.session_tokens() == {"access_jwt": "access-2", "refresh_jwt": "refresh-2"}


def test_a_stored_session_is_used_without_signing_in(api: respx.MockRouter) -> None:
    connector = BlueskyConnector(
        credentials=credentials(access_jwt="stored-access", refresh_jwt="stored-refresh")
    )
    api.get(NOTIFICATIONS).mock(return_value=listing())

    connector.poll(None, timeout=5)

    assert connector.session_changed is False


def test_an_expired_refresh_token_falls_back_to_the_app_password(api: respx.MockRouter) -> None:
    connector = BlueskyConnector(
        credentials=credentials(access_jwt="stored-access", refresh_jwt="stored-refresh")
    )
    notes = api.get(NOTIFICATIONS).mock(
        side_effect=[
            httpx.Response(400, json={"error": "ExpiredToken", "message": "Token has expired"}),
            listing(),
        ]
    )
    api.post(REFRESH_SESSION).mock(
        return_value=httpx.Response(400, json={"error": "ExpiredToken", "message": "expired"})
    )
    api.post(CREATE_SESSION).mock(return_value=session(3))

    connector.poll(None, timeout=5)

    assert notes.calls.last.request.headers["Authorization"] == "Bearer access-3"


def test_a_wrong_app_password_fails_for_good_and_says_what_to_check(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    api.post(CREATE_SESSION).mock(
        return_value=httpx.Response(
            401,
            json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
        )
    )

    with pytest.raises(ConnectorError) as caught:
        connector.poll(None, timeout=5)

    assert (caught.value.permanent, caught.value.status_code, str(caught.value)) == (
        True,
        401,
        "Bluesky refused the sign-in (Invalid identifier or password); check the handle and "
        "the app password (Settings → App passwords)",
    )


def test_an_app_password_of_another_account_is_refused(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    api.post(CREATE_SESSION).mock(return_value=session(did="did:plc:someoneelse"))
    api.get(NOTIFICATIONS).mock(return_value=listing(note("a1", "2026-11-02T09:00:00.000Z")))

    with pytest.raises(ConnectorError) as caught:
        connector.poll(None, timeout=5)

    assert (caught.value.permanent, str(caught.value)) == (
        True,
        f"the app password signs in as did:plc:someoneelse, but this channel is {BRAND}: fix "
        "the channel's handle or DID",
    )


# --- polling ----------------------------------------------------------------------------------


def test_the_first_poll_reads_one_page_and_stores_the_newest_indexed_at(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    api.post(CREATE_SESSION).mock(return_value=session())
    notes = api.get(NOTIFICATIONS).mock(
        return_value=httpx.Response(200, json=load("list_notifications_page.json"))
    )

    result = connector.poll(None, timeout=5)

    assert [(item.external_id, item.kind) for item in result.items] == [
        (f"at://{JANE}/app.bsky.feed.post/3m4janemention1", "mention"),
        (ZOE_REPLY, "reply"),
    ]
    assert result.cursor == {"newest_indexed_at": "2026-11-02T09:30:00.800Z"}
    assert params_of(notes, 0) == [("reasons", "mention"), ("reasons", "reply"), ("limit", "50")]
    assert notes.call_count == 1  # the page's cursor leads into history: not followed


def test_a_poll_pages_back_until_it_reaches_what_it_has_seen(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    api.post(CREATE_SESSION).mock(return_value=session())
    notes = api.get(NOTIFICATIONS).mock(
        side_effect=[
            listing(
                note("n5", "2026-11-02T09:50:00.000Z"),
                note("n4", "2026-11-02T09:45:00.000Z"),
                cursor="page-2",
            ),
            listing(
                note("n3", "2026-11-02T09:40:00.000Z"),
                # within the two-minute overlap: read again, ingestion drops the repeat
                note("n2", "2026-11-02T09:29:00.000Z"),
                note("n1", "2026-11-02T09:20:00.000Z"),
                cursor="page-3",
            ),
        ]
    )

    result = connector.poll({"newest_indexed_at": "2026-11-02T09:30:00.800Z"}, timeout=5)

    assert [item.external_id.rsplit("/", 1)[1] for item in result.items] == [
        "n2",
        "n3",
        "n4",
        "n5",
    ]
    assert result.cursor == {"newest_indexed_at": "2026-11-02T09:50:00.000Z"}
    assert notes.call_count == 2
    assert params_of(notes, 1) == [
        ("reasons", "mention"),
        ("reasons", "reply"),
        ("limit", "50"),
        ("cursor", "page-2"),
    ]


def test_a_poll_with_nothing_new_keeps_the_cursor(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    api.post(CREATE_SESSION).mock(return_value=session())
    api.get(NOTIFICATIONS).mock(
        return_value=listing(note("n1", "2026-11-02T09:20:00.000Z"), cursor="page-2")
    )

    result = connector.poll({"newest_indexed_at": "2026-11-02T09:30:00.800Z"}, timeout=5)

    assert (result.items, result.cursor) == ([], {"newest_indexed_at": "2026-11-02T09:30:00.800Z"})


def test_a_flood_is_caught_up_over_several_polls_without_a_gap(
    connector: BlueskyConnector, api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bluesky_module, "MAX_PAGES", 2)
    api.post(CREATE_SESSION).mock(return_value=session())
    notes = api.get(NOTIFICATIONS).mock(
        side_effect=[
            # first poll: two pages, all newer than the cursor
            listing(note("n6", "2026-11-02T09:56:00.000Z"), cursor="c2"),
            listing(note("n5", "2026-11-02T09:55:00.000Z"), cursor="c3"),
            # second poll: goes on from c3, down to the old watermark
            listing(
                note("n4", "2026-11-02T09:54:00.000Z"),
                note("n0", "2026-11-02T09:00:00.000Z"),
                cursor="c4",
            ),
            # third poll: back to the top
            listing(note("n7", "2026-11-02T09:57:00.000Z"), note("n6", "2026-11-02T09:56:00.000Z")),
        ]
    )

    first = connector.poll({"newest_indexed_at": "2026-11-02T09:30:00.000Z"}, timeout=5)
    second = connector.poll(first.cursor, timeout=5)
    third = connector.poll(second.cursor, timeout=5)

    assert [i.external_id[-2:] for i in first.items] == ["n5", "n6"]
    assert first.cursor == {
        "newest_indexed_at": "2026-11-02T09:56:00.000Z",
        "backfill_cursor": "c3",
        "backfill_until": "2026-11-02T09:30:00.000Z",
    }
    assert [i.external_id[-2:] for i in second.items] == ["n4"]
    assert second.cursor == {"newest_indexed_at": "2026-11-02T09:56:00.000Z"}
    assert [i.external_id[-2:] for i in third.items] == ["n6", "n7"]
    assert third.cursor == {"newest_indexed_at": "2026-11-02T09:57:00.000Z"}
    assert [dict(params_of(notes, n)).get("cursor") for n in range(4)] == [
        None,
        "c2",
        "c3",
        None,
    ]


def test_one_unreadable_notification_does_not_stop_the_poll(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    broken = note("bad", "2026-11-02T09:50:00.000Z")
    del broken["author"]
    api.post(CREATE_SESSION).mock(return_value=session())
    api.get(NOTIFICATIONS).mock(
        return_value=listing(broken, note("ok", "2026-11-02T09:40:00.000Z"))
    )

    result = connector.poll(None, timeout=5)

    assert [item.external_id[-2:] for item in result.items] == ["ok"]
    assert result.cursor == {"newest_indexed_at": "2026-11-02T09:50:00.000Z"}


def test_bluesky_sends_no_webhooks_so_verify_refuses_everything(
    connector: BlueskyConnector,
) -> None:
    assert connector.verify(body=b"{}", headers={}) is False


# --- errors -----------------------------------------------------------------------------------


def test_429_is_temporary_and_says_when_to_retry(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    api.post(CREATE_SESSION).mock(return_value=session())
    api.get(NOTIFICATIONS).mock(
        return_value=httpx.Response(
            429,
            json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            headers={
                "ratelimit-reset": str(int(NOW.timestamp()) + 120),
                "ratelimit-remaining": "0",
            },
        )
    )

    with time_machine.travel(NOW, tick=False), pytest.raises(ConnectorError) as caught:
        connector.poll(None, timeout=5)

    assert (caught.value.permanent, caught.value.status_code, caught.value.retry_after) == (
        False,
        429,
        120.0,
    )
    assert str(caught.value) == (
        "Bluesky listing notifications failed (HTTP 429): RateLimitExceeded: Rate Limit Exceeded"
    )


@pytest.mark.parametrize(
    ("status", "body", "permanent"),
    [
        (502, {"error": "UpstreamFailure", "message": "bad gateway"}, False),
        (403, {"error": "Forbidden", "message": "no"}, True),
        (400, {"error": "InvalidRequest", "message": "bad cursor"}, True),
    ],
)
def test_http_errors_are_permanent_or_temporary(
    connector: BlueskyConnector,
    api: respx.MockRouter,
    status: int,
    body: dict[str, str],
    permanent: bool,
) -> None:
    api.post(CREATE_SESSION).mock(return_value=session())
    api.get(NOTIFICATIONS).mock(return_value=httpx.Response(status, json=body))

    with pytest.raises(ConnectorError) as caught:
        connector.poll(None, timeout=5)

    assert (caught.value.permanent, caught.value.status_code) == (permanent, status)
    assert str(caught.value) == (
        f"Bluesky listing notifications failed (HTTP {status}): {body['error']}: {body['message']}"
    )


def test_a_timeout_is_temporary(connector: BlueskyConnector, api: respx.MockRouter) -> None:
    api.post(CREATE_SESSION).mock(side_effect=httpx.ConnectTimeout("slow"))

    with pytest.raises(ConnectorError) as caught:
        connector.poll(None, timeout=5)

    assert (caught.value.permanent, str(caught.value)) == (
        False,
        "Bluesky sign-in timed out after 5 s",
    )


# --- sending ----------------------------------------------------------------------------------


def test_a_reply_is_posted_in_the_thread_with_strong_refs_and_byte_offset_facets(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    api.post(CREATE_SESSION).mock(return_value=session())
    no_earlier_post(api)
    posts = api.get("/xrpc/app.bsky.feed.getPosts").mock(
        return_value=httpx.Response(200, json=load("get_posts_reply.json"))
    )
    create = api.post("/xrpc/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(
            200,
            json={"uri": f"at://{BRAND}/app.bsky.feed.post/3m4brandnew0009", "cid": "bafynew"},
        )
    )
    text = "@zoe.bsky.social Désolé 😞 — see https://acme.example/refunds."

    with time_machine.travel(NOW, tick=False):
        result = connector.send(reply(text), timeout=5)

    assert result == SendResult(
        external_id=f"at://{BRAND}/app.bsky.feed.post/3m4brandnew0009", status_code=200
    )
    assert params_of(posts, 0) == [("uris", ZOE_REPLY)]
    assert json.loads(create.calls.last.request.content) == {
        "repo": BRAND,
        "collection": "app.bsky.feed.post",
        "record": {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": "2026-11-02T10:00:00.000Z",
            "reply": {
                "root": {"uri": BRAND_POST, "cid": "bafyreibrandpost1"},
                "parent": {"uri": ZOE_REPLY, "cid": "bafyreizoereply3"},
            },
            "facets": [
                {
                    "index": {"byteStart": 0, "byteEnd": 16},
                    "features": [{"$type": "app.bsky.richtext.facet#mention", "did": ZOE}],
                },
                {
                    # "@zoe.bsky.social Désolé 😞 — see " is 32 characters but 39 bytes
                    "index": {"byteStart": 39, "byteEnd": 67},
                    "features": [
                        {
                            "$type": "app.bsky.richtext.facet#link",
                            "uri": "https://acme.example/refunds",
                        }
                    ],
                },
            ],
            "langs": ["en"],
        },
    }
    assert create.calls.last.request.headers["Authorization"] == "Bearer access-1"


def test_other_handles_in_a_reply_are_resolved_and_unknown_ones_stay_text(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    api.post(CREATE_SESSION).mock(return_value=session())
    no_earlier_post(api)
    api.get("/xrpc/app.bsky.feed.getPosts").mock(
        return_value=httpx.Response(200, json=load("get_posts_reply.json"))
    )
    resolve = api.get("/xrpc/com.atproto.identity.resolveHandle").mock(
        side_effect=[
            httpx.Response(200, json={"did": JANE}),
            httpx.Response(400, json={"error": "InvalidRequest", "message": "Unable to resolve"}),
        ]
    )
    create = api.post("/xrpc/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(200, json={"uri": "at://x/app.bsky.feed.post/1", "cid": "c"})
    )

    connector.send(reply("cc @jane.example.com @ghost.example.com"), timeout=5)

    assert [dict(params_of(resolve, n))["handle"] for n in range(2)] == [
        "jane.example.com",
        "ghost.example.com",
    ]
    assert json.loads(create.calls.last.request.content)["record"]["facets"] == [
        {
            "index": {"byteStart": 3, "byteEnd": 20},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": JANE}],
        }
    ]


def test_a_direct_message_is_refused_without_calling_bluesky(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    with pytest.raises(ConnectorError) as caught:
        connector.send(reply(public=False, mode=ReplyMode.MESSAGE), timeout=5)

    assert (caught.value.permanent, str(caught.value)) == (
        True,
        "Bluesky direct messages (chat) are not supported by careline: reply publicly under "
        "the post, or ask the person to write to a channel careline can answer privately.",
    )


def test_a_retry_after_a_lost_answer_returns_the_earlier_post_instead_of_posting_again(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    api.post(CREATE_SESSION).mock(return_value=session())
    api.get("/xrpc/app.bsky.feed.getAuthorFeed").mock(
        return_value=httpx.Response(200, json=load("author_feed.json"))
    )
    # No createRecord route: respx would refuse the call if the reply were posted again.

    result = connector.send(reply(), timeout=5)

    assert result == SendResult(
        external_id=f"at://{BRAND}/app.bsky.feed.post/3m4brandsent007", status_code=200
    )
    assert [call.request.url.path for call in api.calls] == [
        CREATE_SESSION,
        "/xrpc/app.bsky.feed.getAuthorFeed",
    ]


def test_a_reply_too_long_for_bluesky_is_refused_for_good_without_calling_it(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    with pytest.raises(ConnectorError) as caught:
        connector.send(reply("x" * 301), timeout=5)

    assert (caught.value.permanent, str(caught.value)) == (
        True,
        "Too long for Bluesky: 301 characters, the limit is 300.",
    )


def test_a_reply_to_a_deleted_post_fails_for_good(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    api.post(CREATE_SESSION).mock(return_value=session())
    no_earlier_post(api)
    api.get("/xrpc/app.bsky.feed.getPosts").mock(
        return_value=httpx.Response(200, json={"posts": []})
    )

    with pytest.raises(ConnectorError) as caught:
        connector.send(reply(), timeout=5)

    assert (caught.value.permanent, str(caught.value)) == (
        True,
        f"the post {ZOE_REPLY} was deleted or is not visible to the brand account",
    )


# --- rules ------------------------------------------------------------------------------------


def test_300_flags_fit_and_301_do_not(connector: BlueskyConnector) -> None:
    connector.check(reply("🇫🇷" * 300), now=NOW)  # 600 code points, 300 characters

    with pytest.raises(RuleViolation) as caught:
        connector.check(reply("🇫🇷" * 301), now=NOW)

    assert str(caught.value) == "Too long for Bluesky: 301 characters, the limit is 300."


def test_text_over_3000_bytes_is_refused_even_under_300_characters(
    connector: BlueskyConnector,
) -> None:
    heavy = ("e" + "\u0301" * 10) * 150  # 150 characters of 21 bytes each

    with pytest.raises(RuleViolation) as caught:
        connector.check(reply(heavy), now=NOW)

    assert str(caught.value) == "Too long for Bluesky: 3150 bytes of text, the limit is 3000."


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": " \n "}, "The reply is empty."),
        (
            {"public": False},
            "Bluesky direct messages (chat) are not supported by careline: reply publicly under "
            "the post, or ask the person to write to a channel careline can answer privately.",
        ),
        (
            {"mode": ReplyMode.PRIVATE_REPLY},
            "Bluesky direct messages (chat) are not supported by careline: reply publicly under "
            "the post, or ask the person to write to a channel careline can answer privately.",
        ),
    ],
)
def test_replies_bluesky_would_refuse_are_stopped_with_a_reason(
    connector: BlueskyConnector, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(RuleViolation) as caught:
        connector.check(reply(**overrides), now=NOW)

    assert str(caught.value) == message


# --- find_sent --------------------------------------------------------------------------------


def test_find_sent_finds_the_brands_reply_to_the_same_parent_with_the_same_text(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    api.post(CREATE_SESSION).mock(return_value=session())
    feed = api.get("/xrpc/app.bsky.feed.getAuthorFeed").mock(
        return_value=httpx.Response(200, json=load("author_feed.json"))
    )

    found = connector.find_sent(reply(), timeout=5)

    # Not the repost of Max's post with the same text, not the same text under Jane's post.
    assert found == SendResult(
        external_id=f"at://{BRAND}/app.bsky.feed.post/3m4brandsent007", status_code=200
    )
    assert params_of(feed, 0) == [
        ("actor", BRAND),
        ("limit", "20"),
        ("filter", "posts_with_replies"),
    ]


def test_find_sent_returns_none_when_the_reply_never_went_out(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    api.post(CREATE_SESSION).mock(return_value=session())
    api.get("/xrpc/app.bsky.feed.getAuthorFeed").mock(
        return_value=httpx.Response(200, json=load("author_feed.json"))
    )

    assert connector.find_sent(reply("A different answer"), timeout=5) is None


# --- moderation -------------------------------------------------------------------------------


def test_the_brand_can_delete_its_own_post(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    api.post(CREATE_SESSION).mock(return_value=session())
    delete = api.post("/xrpc/com.atproto.repo.deleteRecord").mock(
        return_value=httpx.Response(200, json={})
    )

    connector.moderate(BRAND_POST, Action.DELETE, timeout=5)

    assert json.loads(delete.calls.last.request.content) == {
        "repo": BRAND,
        "collection": "app.bsky.feed.post",
        "rkey": "3m4brandpost1a",
    }


def test_deleting_someone_elses_post_is_refused_with_the_reason(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    api.post(CREATE_SESSION).mock(return_value=session())

    with pytest.raises(ConnectorError) as caught:
        connector.moderate(ZOE_REPLY, Action.DELETE, timeout=5)

    assert (caught.value.permanent, str(caught.value)) == (
        True,
        f"Bluesky lets an account delete only its own posts; this one belongs to {ZOE}. "
        "Mute, block or report it on Bluesky instead",
    )


def test_hiding_is_refused_without_calling_bluesky(
    connector: BlueskyConnector, api: respx.MockRouter
) -> None:
    with pytest.raises(ConnectorError) as caught:
        connector.moderate(ZOE_REPLY, Action.HIDE, timeout=5)

    assert caught.value.permanent is True
