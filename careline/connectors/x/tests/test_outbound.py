"""Replies, direct messages, hiding, and how X's failures become ConnectorErrors."""

from __future__ import annotations

import json
from datetime import UTC, datetime

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

from .support import API, BEARER, BRAND_ID, USER_TOKEN, connector, fixture

NOW = datetime(2024, 6, 20, 16, 30, tzinfo=UTC)
TWEETS = API + "/tweets"
DMS = API + "/dm_conversations/with/2244994945/messages"
USER_TWEETS = f"{API}/users/{BRAND_ID}/tweets"
HIDDEN = API + "/tweets/1800000000000000002/hidden"


def reply(
    text: str = "Sorry Jane, we are on it.", *, mode: ReplyMode | None = None, public: bool = True
) -> OutboundReply:
    return OutboundReply(
        text=text,
        public=public,
        reply_to_external_id="1800000000000000002",
        recipient_external_id="2244994945",
        idempotency_key="c0ffee00-0000-4000-8000-000000000001",
        mode=mode,
    )


# --- check ----------------------------------------------------------------------------------


def test_a_public_reply_of_280_characters_passes() -> None:
    connector().check(reply("a" * 280), now=NOW)


def test_a_public_reply_over_280_characters_is_refused_with_a_readable_reason() -> None:
    with pytest.raises(RuleViolation) as caught:
        connector().check(reply("a" * 312), now=NOW)

    assert str(caught.value) == (
        "This reply is 312 characters; X allows 280 — shorten it or answer privately"
    )


def test_a_long_link_counts_as_23_characters() -> None:
    text = "b" * 250 + " https://example.com/" + "tracking/" * 10  # 341 letters, 274 as X counts

    connector().check(reply(text), now=NOW)


def test_emoji_count_double_and_the_reason_says_so() -> None:
    with pytest.raises(RuleViolation) as caught:
        connector().check(reply("😀" * 141), now=NOW)

    assert str(caught.value) == (
        "This reply is 282 characters (X counts each link as 23 and emoji and CJK characters "
        "as 2); X allows 280 — shorten it or answer privately"
    )


@pytest.mark.parametrize("mode", [ReplyMode.PUBLIC_REPLY, ReplyMode.MESSAGE])
def test_empty_text_is_refused(mode: ReplyMode) -> None:
    with pytest.raises(RuleViolation, match="is empty — write something before sending"):
        connector().check(reply("  \n", mode=mode), now=NOW)


def test_a_direct_message_may_hold_10000_characters_but_not_more() -> None:
    connector().check(reply("d" * 10_000, mode=ReplyMode.MESSAGE), now=NOW)

    with pytest.raises(RuleViolation) as caught:
        connector().check(reply("d" * 10_001, mode=ReplyMode.MESSAGE), now=NOW)

    assert str(caught.value) == (
        "This message is 10,001 characters; X allows 10,000 in a direct message — shorten it "
        "or split it into two messages"
    )


def test_a_private_reply_is_held_to_the_direct_message_limit() -> None:
    connector().check(reply("p" * 5_000, mode=ReplyMode.PRIVATE_REPLY), now=NOW)


def test_a_public_reply_without_the_post_it_answers_is_refused() -> None:
    orphan = OutboundReply(
        text="Hello",
        public=True,
        reply_to_external_id="",
        recipient_external_id="u",
        idempotency_key="k",
    )

    with pytest.raises(RuleViolation, match="needs the post it answers"):
        connector().check(orphan, now=NOW)


# --- send -----------------------------------------------------------------------------------


@respx.mock
def test_a_public_reply_is_posted_as_a_reply_to_the_tweet() -> None:
    route = respx.post(TWEETS).mock(
        return_value=httpx.Response(201, json=fixture("reply_created.json"))
    )

    result = connector().send(reply(), timeout=5)

    request = route.calls.last.request
    assert json.loads(request.content) == {
        "text": "Sorry Jane, we are on it.",
        "reply": {"in_reply_to_tweet_id": "1800000000000000002"},
    }
    assert request.headers["Authorization"] == "Bearer " + USER_TOKEN
    assert request.headers["Content-Type"] == "application/json"
    assert result == SendResult(external_id="1800000000000000010", status_code=201)


@respx.mock
def test_a_message_is_sent_as_a_direct_message_to_the_recipient() -> None:
    route = respx.post(DMS).mock(return_value=httpx.Response(201, json=fixture("dm_sent.json")))

    result = connector().send(reply("Order found!", public=False), timeout=5)

    assert json.loads(route.calls.last.request.content) == {"text": "Order found!"}
    assert route.calls.last.request.headers["Authorization"] == "Bearer " + USER_TOKEN
    assert result == SendResult(external_id="1800000000000000200", status_code=201)


@respx.mock
def test_a_private_reply_becomes_a_direct_message_to_the_posts_author() -> None:
    route = respx.post(DMS).mock(return_value=httpx.Response(201, json=fixture("dm_sent.json")))

    result = connector().send(reply("Sent you details", mode=ReplyMode.PRIVATE_REPLY), timeout=5)

    assert json.loads(route.calls.last.request.content) == {"text": "Sent you details"}
    assert result.external_id == "1800000000000000200"


@respx.mock
def test_a_reply_the_rules_refuse_is_never_sent() -> None:
    route = respx.post(TWEETS)

    with pytest.raises(ConnectorError, match="This reply is 300 characters") as caught:
        connector().send(reply("x" * 300), timeout=5)

    assert caught.value.permanent is True
    assert not route.called


@respx.mock
def test_an_accepted_reply_without_an_id_fails_for_good_rather_than_post_twice() -> None:
    respx.post(TWEETS).mock(return_value=httpx.Response(201, text="ok"))

    with pytest.raises(
        ConnectorError, match=r"accepted the reply \(HTTP 201\) but did not"
    ) as caught:
        connector().send(reply(), timeout=5)

    assert caught.value.permanent is True


# --- failures -------------------------------------------------------------------------------


@respx.mock
@time_machine.travel(datetime(2024, 6, 20, 16, 30, tzinfo=UTC), tick=False)
def test_429_waits_until_the_rate_limit_window_resets_plus_one_second() -> None:
    reset = int(datetime(2024, 6, 20, 16, 42, tzinfo=UTC).timestamp())
    respx.post(TWEETS).mock(
        return_value=httpx.Response(
            429,
            json=fixture("error_429.json"),
            headers={
                "x-rate-limit-limit": "200",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(reset),
            },
        )
    )

    with pytest.raises(ConnectorError) as caught:
        connector().send(reply(), timeout=5)

    error = caught.value
    assert (error.permanent, error.status_code, error.retry_after) == (False, 429, 721.0)
    assert str(error) == "X rate limit reached while posting a reply; retrying in 721 s"


@respx.mock
@time_machine.travel(datetime(2024, 6, 20, 16, 30, tzinfo=UTC), tick=False)
def test_429_from_an_exhausted_24_hour_limit_waits_for_that_limit() -> None:
    now = int(datetime(2024, 6, 20, 16, 30, tzinfo=UTC).timestamp())
    respx.post(DMS).mock(
        return_value=httpx.Response(
            429,
            headers={
                "x-rate-limit-remaining": "150",
                "x-rate-limit-reset": str(now + 300),
                "x-user-limit-24hour-remaining": "0",
                "x-user-limit-24hour-reset": str(now + 7200),
            },
        )
    )

    with pytest.raises(ConnectorError) as caught:
        connector().send(reply(public=False), timeout=5)

    assert caught.value.retry_after == 7201.0


@respx.mock
def test_429_without_a_reset_header_waits_60_seconds() -> None:
    respx.post(TWEETS).mock(return_value=httpx.Response(429, json=fixture("error_429.json")))

    with pytest.raises(ConnectorError) as caught:
        connector().send(reply(), timeout=5)

    assert (caught.value.permanent, caught.value.retry_after) == (False, 60.0)


@respx.mock
def test_a_timeout_is_a_temporary_failure() -> None:
    respx.post(TWEETS).mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(ConnectorError) as caught:
        connector().send(reply(), timeout=7.5)

    assert str(caught.value) == "X did not answer within 7.5 s while posting a reply"
    assert (caught.value.permanent, caught.value.status_code) == (False, None)


@respx.mock
@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_a_temporary_failure(status: int) -> None:
    respx.post(TWEETS).mock(return_value=httpx.Response(status, text="upstream trouble"))

    with pytest.raises(ConnectorError) as caught:
        connector().send(reply(), timeout=5)

    assert (caught.value.permanent, caught.value.status_code) == (False, status)


@respx.mock
def test_401_is_permanent_and_says_to_reconnect() -> None:
    respx.post(TWEETS).mock(return_value=httpx.Response(401, json=fixture("error_401.json")))

    with pytest.raises(ConnectorError) as caught:
        connector().send(reply(), timeout=5)

    assert str(caught.value) == (
        "X refused posting a reply (HTTP 401): Unauthorized — the access token has expired or "
        "was revoked; reconnect the X account"
    )
    assert caught.value.permanent is True


@respx.mock
def test_403_is_permanent_and_carries_xs_title_and_detail() -> None:
    respx.post(DMS).mock(
        return_value=httpx.Response(
            403,
            json={
                "title": "Forbidden",
                "detail": "You cannot send messages to this user.",
                "type": "about:blank",
                "status": 403,
            },
        )
    )

    with pytest.raises(ConnectorError) as caught:
        connector().send(reply(public=False), timeout=5)

    assert str(caught.value) == (
        "X refused sending a direct message (HTTP 403): Forbidden: You cannot send messages "
        "to this user."
    )
    assert (caught.value.permanent, caught.value.status_code) == (True, 403)


@respx.mock
def test_400_is_permanent() -> None:
    respx.post(TWEETS).mock(
        return_value=httpx.Response(
            400, json={"errors": [{"message": "in_reply_to_tweet_id is invalid"}]}
        )
    )

    with pytest.raises(ConnectorError) as caught:
        connector().send(reply(), timeout=5)

    assert str(caught.value) == (
        "X refused posting a reply (HTTP 400): in_reply_to_tweet_id is invalid"
    )
    assert caught.value.permanent is True


def test_a_channel_without_a_user_token_cannot_send() -> None:
    with pytest.raises(ConnectorError, match="no user_access_token") as caught:
        connector(user_access_token="").send(reply(), timeout=5)

    assert caught.value.permanent is True


# --- find_sent ------------------------------------------------------------------------------


@respx.mock
def test_find_sent_finds_our_reply_among_the_brands_latest_posts() -> None:
    route = respx.get(USER_TWEETS).mock(
        return_value=httpx.Response(200, json=fixture("user_tweets.json"))
    )

    # X returns "&amp;" in post text; the reply we sent had "&".
    found = connector().find_sent(reply("Sorry Jane & team, we are on it."), timeout=5)

    assert found == SendResult(external_id="1800000000000000050", status_code=200)
    assert dict(route.calls.last.request.url.params) == {
        "max_results": "10",
        "tweet.fields": "referenced_tweets",
    }
    assert route.calls.last.request.headers["Authorization"] == "Bearer " + BEARER


@respx.mock
def test_find_sent_matches_a_reply_whose_link_x_shortened() -> None:
    respx.get(USER_TWEETS).mock(return_value=httpx.Response(200, json=fixture("user_tweets.json")))
    sent = OutboundReply(
        text="@bolee Norway: yes, 3\u20135 days. Details: https://shop.example/shipping/norway",
        public=True,
        reply_to_external_id="1799999999999999990",
        recipient_external_id="5566778899",
        idempotency_key="k",
    )

    found = connector().find_sent(sent, timeout=5)

    assert found == SendResult(external_id="1800000000000000051", status_code=200)


@respx.mock
def test_find_sent_returns_none_when_the_reply_is_not_there() -> None:
    respx.get(USER_TWEETS).mock(return_value=httpx.Response(200, json=fixture("user_tweets.json")))

    # same post answered, other text; and same text, other post
    assert connector().find_sent(reply("Another answer"), timeout=5) is None
    other_post = OutboundReply(
        text="Sorry Jane & team, we are on it.",
        public=True,
        reply_to_external_id="1799999999999999990",
        recipient_external_id="2244994945",
        idempotency_key="k",
    )
    assert connector().find_sent(other_post, timeout=5) is None


@respx.mock
def test_find_sent_does_not_search_direct_messages() -> None:
    route = respx.get(USER_TWEETS)

    assert connector().find_sent(reply(public=False), timeout=5) is None
    assert connector().find_sent(reply(mode=ReplyMode.PRIVATE_REPLY), timeout=5) is None
    assert not route.called


@respx.mock
def test_a_duplicate_content_refusal_reports_the_reply_already_posted() -> None:
    respx.post(TWEETS).mock(
        return_value=httpx.Response(403, json=fixture("error_403_duplicate.json"))
    )
    respx.get(USER_TWEETS).mock(return_value=httpx.Response(200, json=fixture("user_tweets.json")))

    result = connector().send(reply("Sorry Jane & team, we are on it."), timeout=5)

    assert result == SendResult(external_id="1800000000000000050", status_code=200)


@respx.mock
def test_a_duplicate_content_refusal_without_our_reply_in_sight_stays_permanent() -> None:
    respx.post(TWEETS).mock(
        return_value=httpx.Response(403, json=fixture("error_403_duplicate.json"))
    )
    respx.get(USER_TWEETS).mock(return_value=httpx.Response(200, json={"meta": {}}))

    with pytest.raises(ConnectorError, match="duplicate content") as caught:
        connector().send(reply(), timeout=5)

    assert caught.value.permanent is True


# --- moderate -------------------------------------------------------------------------------


@respx.mock
@pytest.mark.parametrize(
    ("action", "hidden", "answer"),
    [(Action.HIDE, True, "hidden.json"), (Action.UNHIDE, False, "unhidden.json")],
)
def test_hide_and_unhide_set_the_hidden_flag(action: Action, hidden: bool, answer: str) -> None:
    route = respx.put(HIDDEN).mock(return_value=httpx.Response(200, json=fixture(answer)))

    connector().moderate("1800000000000000002", action, timeout=5)

    request = route.calls.last.request
    assert json.loads(request.content) == {"hidden": hidden}
    assert request.headers["Authorization"] == "Bearer " + USER_TOKEN


@respx.mock
def test_hiding_a_reply_outside_the_brands_conversations_fails_with_xs_reason() -> None:
    respx.put(HIDDEN).mock(return_value=httpx.Response(403, json=fixture("error_403_hide.json")))

    with pytest.raises(ConnectorError) as caught:
        connector().moderate("1800000000000000002", Action.HIDE, timeout=5)

    assert str(caught.value) == (
        "X refused hiding post 1800000000000000002 (HTTP 403): Forbidden: You can only hide "
        "or unhide replies to conversations you authored."
    )
    assert caught.value.permanent is True


@respx.mock
def test_deleting_someone_elses_post_is_impossible_and_says_so() -> None:
    route = respx.route()

    with pytest.raises(ConnectorError) as caught:
        connector().moderate("1800000000000000002", Action.DELETE, timeout=5)

    assert str(caught.value) == (
        "X does not let an account delete other people's posts — hide the reply instead "
        "(possible for replies to the brand's own posts)"
    )
    assert caught.value.permanent is True
    assert not route.called
