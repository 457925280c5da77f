"""The fake platform on its own (no careline, no database): it must refuse what the real
platforms refuse, page like them and fail on demand, or the end-to-end tests prove nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from careline.fakeplatform import FakeConfig, FakePlatform
from careline.fakeplatform.cli import UsageError, build_config
from careline.fakeplatform.signing import appsecret_proof, meta_signature, x_signature

META_TOKEN = "fake-meta-page-access-token"
PROOF = appsecret_proof("fake-meta-app-secret", META_TOKEN)
X_USER = {"Authorization": "Bearer fake-x-user-access-token"}
X_APP = {"Authorization": "Bearer fake-x-bearer-token"}
MASTODON = {"Authorization": "Bearer fake-mastodon-access-token"}


@pytest.fixture
def fake() -> Iterator[FakePlatform]:
    with FakePlatform(FakeConfig()) as platform:
        yield platform


def call(fake: FakePlatform, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, fake.base_url + path, timeout=10, **kwargs)


def graph(fake: FakePlatform, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {META_TOKEN}"}
    params = {"appsecret_proof": PROOF, **kwargs.pop("params", {})}
    return call(fake, method, "/graph/v21.0" + path, headers=headers, params=params, **kwargs)


def test_signatures_match_the_documented_test_vectors() -> None:
    assert meta_signature("test_app_secret", b'{"object":"page","entry":[]}') == (
        "sha256=5da47c9c7409e70d7a1851f0cfd9bc27786bd99587a9bf1dd5b51e23a2de03cf"
    )
    assert x_signature("test_consumer_secret", b"challenge123") == (
        "sha256=bduFTUKxcpX6V/Na8ySV0jg4oI1UGafJHo/L5CYtzIo="
    )
    body = b'{"for_user_id":"2244994945","tweet_create_events":[]}'
    assert x_signature("test_consumer_secret", body) == (
        "sha256=Lss4bxd6weR99So6MmhnJFpNn8h7oFFhZH5um9Z5oF4="
    )


def test_graph_refuses_a_wrong_token_and_a_wrong_appsecret_proof(fake: FakePlatform) -> None:
    wrong_token = call(
        fake,
        "POST",
        "/graph/v21.0/1_2/comments",
        data={"message": "hi"},
        headers={"Authorization": "Bearer nope"},
        params={"appsecret_proof": PROOF},
    )
    wrong_proof = graph(
        fake, "POST", "/1_2/comments", data={"message": "hi"}, params={"appsecret_proof": "0" * 64}
    )

    assert (wrong_token.status_code, wrong_token.json()["error"]["code"]) == (400, 190)
    assert (wrong_proof.status_code, wrong_proof.json()["error"]["code"]) == (400, 100)
    assert wrong_proof.json()["error"]["message"] == (
        "Invalid appsecret_proof provided in the API argument"
    )
    assert [r["status"] for r in fake.requests()] == [400, 400]


def test_graph_allows_one_private_reply_per_comment(fake: FakePlatform) -> None:
    body = {"recipient": {"comment_id": "1_2"}, "message": {"text": "Check your inbox"}}

    first = graph(fake, "POST", "/104738291234567/messages", json=body)
    second = graph(fake, "POST", "/104738291234567/messages", json=body)

    assert first.status_code == 200
    assert first.json()["message_id"].startswith("m_")
    assert (second.status_code, second.json()["error"]["code"]) == (400, 10900)


def test_graph_lists_the_pages_own_replies_for_find_sent(fake: FakePlatform) -> None:
    posted = graph(fake, "POST", "/1122_33/comments", data={"message": "We're on it"}).json()

    listed = graph(
        fake,
        "GET",
        "/1122_33/comments",
        params={"fields": "id,message,from", "order": "reverse_chronological"},
    )

    assert listed.json()["data"] == [
        {
            "id": posted["id"],
            "message": "We're on it",
            "from": {"id": "104738291234567", "name": "Larkspur Home"},
        }
    ]
    assert json.loads(listed.headers["X-App-Usage"])["call_count"] == 1


def test_x_pages_mentions_newest_first_with_since_id_and_tokens(fake: FakePlatform) -> None:
    ids = [
        fake.inbound(
            "x",
            {"author_id": "22", "handle": "jane", "text": f"@larkspurhome {n}", "webhook": False},
        )["ids"]["tweet_id"]
        for n in range(7)
    ]
    path = "/x/2/users/1111111111/mentions"
    params = {"max_results": "5", "tweet.fields": "author_id", "expansions": "author_id"}

    first = call(fake, "GET", path, headers=X_APP, params=params).json()
    second = call(
        fake,
        "GET",
        path,
        headers=X_APP,
        params={**params, "pagination_token": first["meta"]["next_token"]},
    ).json()
    newer = call(fake, "GET", path, headers=X_APP, params={**params, "since_id": ids[5]}).json()

    assert [t["id"] for t in first["data"]] == ids[:1:-1]
    assert first["data"][0] == {
        "id": ids[6],
        "text": "@larkspurhome 6",
        "edit_history_tweet_ids": [ids[6]],
        "author_id": "22",
    }
    assert first["includes"]["users"] == [{"id": "22", "name": "jane", "username": "jane"}]
    assert [t["id"] for t in second["data"]] == [ids[1], ids[0]]
    assert "next_token" not in second["meta"]
    assert [t["id"] for t in newer["data"]] == [ids[6]]
    too_few = call(fake, "GET", path, headers=X_APP, params={"max_results": "3"})
    assert too_few.status_code == 400


def test_x_refuses_duplicate_posts_and_app_only_writes(fake: FakePlatform) -> None:
    body = {"text": "Thanks!", "reply": {"in_reply_to_tweet_id": "1800000000000000002"}}

    first = call(fake, "POST", "/x/2/tweets", headers=X_USER, json=body)
    again = call(fake, "POST", "/x/2/tweets", headers=X_USER, json=body)
    app_only = call(fake, "POST", "/x/2/tweets", headers=X_APP, json={"text": "other"})

    assert first.status_code == 201
    assert (again.status_code, again.json()["detail"]) == (
        403,
        "You are not allowed to create a Tweet with duplicate content.",
    )
    assert (app_only.status_code, app_only.json()["title"]) == (403, "Unsupported Authentication")


def test_x_rate_limit_answers_429_with_its_reset_then_recovers(fake: FakePlatform) -> None:
    fake.fail("/x/2/tweets", method="POST", retry_after=60)

    limited = call(fake, "POST", "/x/2/tweets", headers=X_USER, json={"text": "a"})
    fine = call(fake, "POST", "/x/2/tweets", headers=X_USER, json={"text": "a"})

    assert limited.status_code == 429
    assert limited.headers["x-rate-limit-remaining"] == "0"
    assert 58 <= int(limited.headers["x-rate-limit-reset"]) - time.time() <= 61
    assert fine.status_code == 201
    assert fake.fail_rules() == []


def test_mastodon_honours_the_idempotency_key(fake: FakePlatform) -> None:
    headers = {**MASTODON, "Idempotency-Key": "k-1"}

    first = call(fake, "POST", "/mastodon/api/v1/statuses", headers=headers, json={"status": "Hi"})
    again = call(fake, "POST", "/mastodon/api/v1/statuses", headers=headers, json={"status": "Hi"})
    other = call(
        fake,
        "POST",
        "/mastodon/api/v1/statuses",
        headers={**MASTODON, "Idempotency-Key": "k-2"},
        json={"status": "Hi"},
    )

    assert first.json()["id"] == again.json()["id"] != other.json()["id"]
    assert first.json()["content"] == "<p>Hi</p>"
    assert [r["note"] for r in fake.requests()][1].startswith("Idempotency-Key seen before")


def test_mastodon_pages_notifications_with_min_id_and_link_headers(fake: FakePlatform) -> None:
    mentions = [{"handle": "jane@example.social", "text": f"@larkspurhome {n}"} for n in range(5)]
    notes = [fake.inbound("mastodon", m)["ids"]["notification_id"] for m in mentions]
    path = "/mastodon/api/v1/notifications"

    newest = call(fake, "GET", path, headers=MASTODON, params={"limit": "2"})
    above = call(fake, "GET", path, headers=MASTODON, params={"limit": "2", "min_id": notes[0]})

    assert [n["id"] for n in newest.json()] == [notes[4], notes[3]]
    assert [n["id"] for n in above.json()] == [notes[2], notes[1]]
    assert newest.links["next"]["url"].endswith(f"max_id={notes[3]}")
    assert above.links["prev"]["url"].endswith(f"min_id={notes[2]}")
    assert call(fake, "GET", path).status_code == 401


def test_bluesky_expired_tokens_answer_expired_and_refresh_works(fake: FakePlatform) -> None:
    session = call(
        fake,
        "POST",
        "/bsky/xrpc/com.atproto.server.createSession",
        json={"identifier": "larkspurhome.fake.social", "password": "fake-app0-pass-word"},
    ).json()
    fake.inbound("bluesky", {"handle": "jane.bsky.social", "text": "help"})
    listing = "/bsky/xrpc/app.bsky.notification.listNotifications"
    fake.expire_tokens("bluesky")

    expired = call(
        fake, "GET", listing, headers={"Authorization": f"Bearer {session['accessJwt']}"}
    )
    renewed = call(
        fake,
        "POST",
        "/bsky/xrpc/com.atproto.server.refreshSession",
        headers={"Authorization": f"Bearer {session['refreshJwt']}"},
    ).json()
    listed = call(fake, "GET", listing, headers={"Authorization": f"Bearer {renewed['accessJwt']}"})

    assert (expired.status_code, expired.json()["error"]) == (400, "ExpiredToken")
    assert renewed["did"] == "did:plc:larkspurhomefakeplatform"
    assert [n["record"]["text"] for n in listed.json()["notifications"]] == ["help"]
    assert listed.json()["notifications"][0]["reason"] == "mention"


def test_bluesky_refuses_a_post_over_300_graphemes(fake: FakePlatform) -> None:
    session = call(
        fake,
        "POST",
        "/bsky/xrpc/com.atproto.server.createSession",
        json={"identifier": "did:plc:larkspurhomefakeplatform", "password": "fake-app0-pass-word"},
    ).json()
    record = {
        "$type": "app.bsky.feed.post",
        "text": "é" * 301,
        "createdAt": "2026-11-02T09:00:00.000Z",
    }

    answer = call(
        fake,
        "POST",
        "/bsky/xrpc/com.atproto.repo.createRecord",
        headers={"Authorization": f"Bearer {session['accessJwt']}"},
        json={"repo": session["did"], "collection": "app.bsky.feed.post", "record": record},
    )

    assert (answer.status_code, answer.json()["error"]) == (400, "InvalidRecord")


def test_the_generic_receiver_checks_the_signature(fake: FakePlatform) -> None:
    body = b'{"text": "hello"}'

    forged = call(
        fake,
        "POST",
        "/generic/replies",
        content=body,
        headers={"X-Careline-Signature": "sha256=00"},
    )

    assert forged.status_code == 403


def test_a_timeout_without_processing_leaves_no_trace_but_the_record(fake: FakePlatform) -> None:
    fake.fail("/generic/*", mode="timeout", delay=0.5, processed=False)

    with pytest.raises(httpx.ReadTimeout):
        httpx.post(fake.base_url + "/generic/replies", content=b"{}", timeout=0.2)

    (record,) = fake.requests()
    assert (record["status"], record["note"]) == (
        None,
        "/_fake/fail: answer held back 0.5 s (not processed)",
    )


def test_the_control_api_refuses_bad_items_and_missing_targets(fake: FakePlatform) -> None:
    no_text = call(fake, "POST", "/_fake/inbound/generic", json={"author_id": "u"})
    no_target = call(fake, "POST", "/_fake/inbound/facebook", json={"text": "hi"})
    unknown = call(fake, "POST", "/_fake/inbound/myspace", json={"text": "hi"})
    bad_rule = call(fake, "POST", "/_fake/fail", json={"path": "/x/2/tweets", "mode": "sulk"})

    assert (no_text.status_code, no_text.json()) == (
        400,
        {"error": "the item needs a non-empty 'text'"},
    )
    assert no_target.status_code == 409
    assert unknown.status_code == 404
    assert bad_rule.status_code == 400
    assert fake.webhooks() == []


def test_the_page_shows_what_arrived_escaped(fake: FakePlatform) -> None:
    call(fake, "POST", "/x/2/tweets", headers=X_USER, json={"text": "<script>alert(1)</script>"})

    page = call(fake, "GET", "/")

    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert call(fake, "GET", "/_fake/posts").json()[0]["path"] == "/x/2/tweets"


def test_the_cli_reads_targets_and_refuses_malformed_ones() -> None:
    config = build_config(
        {
            "careline_url": "http://127.0.0.1:8000",
            "target": ["x=http://127.0.0.1:9000/hooks/x/shop"],
        }
    )

    assert config.target("x") == "http://127.0.0.1:9000/hooks/x/shop"
    assert config.target("messenger") == "http://127.0.0.1:8000/hooks/meta/fake-messenger"
    assert config.target("mastodon") == ""
    with pytest.raises(UsageError):
        build_config({"target": ["myspace=http://x"]})
