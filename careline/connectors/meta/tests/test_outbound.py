from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

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
from careline.connectors.meta.connector import appsecret_proof, usage_pressure
from careline.connectors.meta.tests.support import (
    APP_SECRET,
    COMMENT_ID,
    GRAPH,
    PAGE_ID,
    PAGE_TOKEN,
    PROOF,
    PSID,
    connector,
)

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
V = f"{GRAPH}/v21.0"
IG_COMMENT = "17865799348089039"
IGSID = "1234567890123456"


def reply(
    text: str = "Sorry Jane — we're on it",
    *,
    mode: ReplyMode,
    reply_to: str = COMMENT_ID,
    recipient: str = PSID,
    last_customer: datetime | None = None,
    replied_created: datetime | None = None,
    already_sent: bool = False,
    human_agent: bool = False,
) -> OutboundReply:
    return OutboundReply(
        text=text,
        public=mode is ReplyMode.PUBLIC_REPLY,
        reply_to_external_id=reply_to,
        recipient_external_id=recipient,
        idempotency_key="7f1c",
        mode=mode,
        last_customer_message_at=last_customer,
        replied_item_created_at=replied_created,
        private_reply_already_sent=already_sent,
        human_agent=human_agent,
    )


def assert_signed(request: httpx.Request, **params: str) -> None:
    """The token travels in the header only; appsecret_proof is in the query."""
    assert request.headers["Authorization"] == f"Bearer {PAGE_TOKEN}"
    assert dict(request.url.params) == {**params, "appsecret_proof": PROOF}
    assert PAGE_TOKEN not in str(request.url)


def form(request: httpx.Request) -> dict[str, list[str]]:
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    return parse_qs(request.content.decode())


def json_body(request: httpx.Request) -> object:
    assert request.headers["Content-Type"] == "application/json"
    return json.loads(request.content)


def test_appsecret_proof_is_the_hex_hmac_of_the_token() -> None:
    assert appsecret_proof(APP_SECRET, PAGE_TOKEN) == PROOF


# --- send: exact requests -------------------------------------------------------------------


@respx.mock
def test_a_facebook_public_reply_posts_a_comment_under_the_comment() -> None:
    route = respx.post(f"{V}/{COMMENT_ID}/comments").mock(
        return_value=httpx.Response(200, json={"id": "1122334455667788_5555"})
    )

    result = connector("facebook").send(reply(mode=ReplyMode.PUBLIC_REPLY), timeout=5)

    request = route.calls.last.request
    assert_signed(request)
    assert form(request) == {"message": ["Sorry Jane — we're on it"]}
    assert result == SendResult(external_id="1122334455667788_5555", status_code=200)


@respx.mock
@time_machine.travel(NOW, tick=False)
def test_a_facebook_private_reply_messages_the_commenter_through_the_page() -> None:
    route = respx.post(f"{V}/{PAGE_ID}/messages").mock(
        return_value=httpx.Response(200, json={"recipient_id": PSID, "message_id": "m_AG5Hz"})
    )

    result = connector("facebook").send(
        reply(mode=ReplyMode.PRIVATE_REPLY, replied_created=NOW - timedelta(days=1)), timeout=5
    )

    request = route.calls.last.request
    assert_signed(request)
    assert json_body(request) == {
        "recipient": {"comment_id": COMMENT_ID},
        "message": {"text": "Sorry Jane — we're on it"},
    }
    assert result == SendResult(external_id="m_AG5Hz", status_code=200)


@respx.mock
@time_machine.travel(NOW, tick=False)
def test_a_messenger_message_inside_24_h_is_a_response() -> None:
    route = respx.post(f"{V}/{PAGE_ID}/messages").mock(
        return_value=httpx.Response(200, json={"recipient_id": PSID, "message_id": "m_1"})
    )

    connector("messenger").send(
        reply(mode=ReplyMode.MESSAGE, last_customer=NOW - timedelta(hours=23), human_agent=True),
        timeout=5,
    )

    request = route.calls.last.request
    assert_signed(request)
    assert json_body(request) == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "Sorry Jane — we're on it"},
    }


@respx.mock
@time_machine.travel(NOW, tick=False)
def test_a_human_agent_message_after_24_h_carries_the_human_agent_tag() -> None:
    route = respx.post(f"{V}/{PAGE_ID}/messages").mock(
        return_value=httpx.Response(200, json={"recipient_id": PSID, "message_id": "m_2"})
    )

    result = connector("messenger").send(
        reply(mode=ReplyMode.MESSAGE, last_customer=NOW - timedelta(days=3), human_agent=True),
        timeout=5,
    )

    assert json_body(route.calls.last.request) == {
        "recipient": {"id": PSID},
        "messaging_type": "MESSAGE_TAG",
        "tag": "HUMAN_AGENT",
        "message": {"text": "Sorry Jane — we're on it"},
    }
    assert result == SendResult(external_id="m_2", status_code=200)


@respx.mock
def test_an_instagram_public_reply_posts_to_the_comments_replies() -> None:
    route = respx.post(f"{V}/{IG_COMMENT}/replies").mock(
        return_value=httpx.Response(200, json={"id": "17870000000000001"})
    )

    result = connector("instagram").send(
        reply("Sent you a DM!", mode=ReplyMode.PUBLIC_REPLY, reply_to=IG_COMMENT), timeout=5
    )

    request = route.calls.last.request
    assert_signed(request)
    assert form(request) == {"message": ["Sent you a DM!"]}
    assert result == SendResult(external_id="17870000000000001", status_code=200)


@respx.mock
def test_an_instagram_private_reply_goes_through_the_linked_page() -> None:
    route = respx.post(f"{V}/{PAGE_ID}/messages").mock(
        return_value=httpx.Response(200, json={"recipient_id": IGSID, "message_id": "aWdf1"})
    )

    connector("instagram").send(
        reply("Hi!", mode=ReplyMode.PRIVATE_REPLY, reply_to=IG_COMMENT), timeout=5
    )

    assert json_body(route.calls.last.request) == {
        "recipient": {"comment_id": IG_COMMENT},
        "message": {"text": "Hi!"},
    }


@respx.mock
def test_an_instagram_direct_message_goes_through_the_linked_page() -> None:
    route = respx.post(f"{V}/{PAGE_ID}/messages").mock(
        return_value=httpx.Response(200, json={"recipient_id": IGSID, "message_id": "aWdf2"})
    )

    result = connector("instagram").send(
        reply("Hi!", mode=ReplyMode.MESSAGE, recipient=IGSID), timeout=5
    )

    assert json_body(route.calls.last.request) == {
        "recipient": {"id": IGSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "Hi!"},
    }
    assert result == SendResult(external_id="aWdf2", status_code=200)


@respx.mock
def test_graph_version_and_host_come_from_the_credentials() -> None:
    route = respx.post(f"https://fake-meta.test/v19.0/{COMMENT_ID}/comments").mock(
        return_value=httpx.Response(200, json={"id": "c1"})
    )

    connector("facebook", graph_host="https://fake-meta.test/", graph_version="19.0").send(
        reply(mode=ReplyMode.PUBLIC_REPLY), timeout=5
    )

    assert route.call_count == 1


@respx.mock
@time_machine.travel(NOW, tick=False)
def test_send_refuses_a_reply_that_breaks_a_rule_without_calling_meta() -> None:
    late = reply(mode=ReplyMode.MESSAGE, last_customer=NOW - timedelta(hours=27))

    with pytest.raises(ConnectorError) as caught:
        connector("messenger").send(late, timeout=5)

    assert caught.value.permanent is True
    assert str(caught.value) == (
        "Messenger window closed 3 h ago — reply publicly or use a human-agent reply"
    )
    assert respx.calls.call_count == 0


@respx.mock
def test_an_instagram_message_needs_the_linked_page_id() -> None:
    with pytest.raises(ConnectorError) as caught:
        connector("instagram", page_id="").send(
            reply("Hi!", mode=ReplyMode.MESSAGE, recipient=IGSID), timeout=5
        )

    assert caught.value.permanent is True
    assert str(caught.value).startswith("the channel has no page_id")
    assert respx.calls.call_count == 0


@respx.mock
def test_a_channel_without_a_token_fails_permanently_without_calling_meta() -> None:
    with pytest.raises(ConnectorError) as caught:
        connector("facebook", page_access_token="").send(
            reply(mode=ReplyMode.PUBLIC_REPLY), timeout=5
        )

    assert caught.value.permanent is True
    assert respx.calls.call_count == 0


# --- check: the platform's rules ------------------------------------------------------------


def violation(platform: str, outbound: OutboundReply) -> str:
    with pytest.raises(RuleViolation) as caught:
        connector(platform).check(outbound, now=NOW)
    return str(caught.value)


@pytest.mark.parametrize(
    ("age", "message"),
    [
        (
            timedelta(hours=27),
            "Messenger window closed 3 h ago — reply publicly or use a human-agent reply",
        ),
        (
            timedelta(hours=24, minutes=20),
            "Messenger window closed 20 min ago — reply publicly or use a human-agent reply",
        ),
        (
            timedelta(days=9),
            "Messenger window closed 8 days ago, and the 7-day human-agent "
            "window too — wait for the customer to write",
        ),
    ],
)
def test_the_messenger_window_closes_after_24_h(age: timedelta, message: str) -> None:
    outbound = reply(mode=ReplyMode.MESSAGE, last_customer=NOW - age)

    assert violation("messenger", outbound) == message


def test_the_human_agent_window_closes_after_7_days() -> None:
    outbound = reply(
        mode=ReplyMode.MESSAGE, last_customer=NOW - timedelta(days=9), human_agent=True
    )

    assert violation("messenger", outbound) == (
        "Messenger human-agent window closed 2 days ago (7 days after the customer's last "
        "message) — wait for the customer to write"
    )


@pytest.mark.parametrize(
    ("age", "human_agent"),
    [
        (timedelta(hours=24), False),
        (timedelta(hours=1), False),
        (timedelta(days=7), True),
        (timedelta(days=3), True),
    ],
)
def test_a_message_inside_its_window_passes(age: timedelta, human_agent: bool) -> None:
    outbound = reply(mode=ReplyMode.MESSAGE, last_customer=NOW - age, human_agent=human_agent)

    connector("messenger").check(outbound, now=NOW)


def test_a_message_with_no_known_last_customer_message_is_left_to_meta() -> None:
    connector("messenger").check(reply(mode=ReplyMode.MESSAGE), now=NOW)


def test_the_instagram_window_names_instagram() -> None:
    outbound = reply(mode=ReplyMode.MESSAGE, last_customer=NOW - timedelta(hours=30))

    assert violation("instagram", outbound) == (
        "Instagram window closed 6 h ago — reply publicly or use a human-agent reply"
    )


@pytest.mark.parametrize("platform", ["facebook", "instagram"])
def test_a_private_reply_is_allowed_only_once(platform: str) -> None:
    outbound = reply(mode=ReplyMode.PRIVATE_REPLY, already_sent=True)

    assert violation(platform, outbound) == (
        "A private reply was already sent for this comment — Meta allows one; reply publicly, "
        "or continue in the inbox once the customer answers"
    )


def test_a_private_reply_is_allowed_for_7_days_after_the_comment() -> None:
    late = reply(mode=ReplyMode.PRIVATE_REPLY, replied_created=NOW - timedelta(days=9))
    in_time = reply(mode=ReplyMode.PRIVATE_REPLY, replied_created=NOW - timedelta(days=6))

    assert violation("facebook", late) == (
        "Private-reply window closed 2 days ago (7 days after the comment) — reply publicly"
    )
    connector("facebook").check(in_time, now=NOW)


@pytest.mark.parametrize(
    ("platform", "mode", "ok", "too_long", "message"),
    [
        (
            "messenger",
            ReplyMode.MESSAGE,
            1999,
            2000,
            "Messenger messages must be shorter than 2000 characters; this one has 2000 — shorten "
            "it or split it",
        ),
        (
            "facebook",
            ReplyMode.PRIVATE_REPLY,
            1999,
            2000,
            "Facebook messages must be shorter than 2000 characters; this one has 2000 — shorten "
            "it or split it",
        ),
        (
            "instagram",
            ReplyMode.MESSAGE,
            999,
            1000,
            "Instagram messages must be shorter than 1000 characters; this one has 1000 — shorten "
            "it or split it",
        ),
        (
            "facebook",
            ReplyMode.PUBLIC_REPLY,
            8000,
            8001,
            "Facebook replies are limited to 8000 characters here; this one has 8001 — shorten it",
        ),
        (
            "instagram",
            ReplyMode.PUBLIC_REPLY,
            2200,
            2201,
            "Instagram replies are limited to 2200 characters here; this one has 2201 — shorten it",
        ),
    ],
)
def test_text_length_limits(
    platform: str, mode: ReplyMode, ok: int, too_long: int, message: str
) -> None:
    connector(platform).check(reply("x" * ok, mode=mode), now=NOW)

    assert violation(platform, reply("x" * too_long, mode=mode)) == message


def test_instagram_messages_are_also_limited_to_1000_bytes() -> None:
    connector("instagram").check(reply("é" * 500, mode=ReplyMode.MESSAGE), now=NOW)

    assert violation("instagram", reply("é" * 501, mode=ReplyMode.MESSAGE)) == (
        "Instagram messages are limited to 1000 bytes; this one has 1002 (emoji and accented "
        "letters take several) — shorten it or split it"
    )


@pytest.mark.parametrize("platform", ["facebook", "instagram", "messenger"])
def test_an_empty_reply_is_refused(platform: str) -> None:
    mode = ReplyMode.MESSAGE if platform == "messenger" else ReplyMode.PUBLIC_REPLY

    assert violation(platform, reply(" \n ", mode=mode)) == (
        "The reply is empty — write a message before sending"
    )


def test_facebook_cannot_send_a_direct_message() -> None:
    assert violation("facebook", reply(mode=ReplyMode.MESSAGE)) == (
        "Facebook comments are answered publicly or with one private reply; direct messages go "
        "through the Page's Messenger channel"
    )


@pytest.mark.parametrize("mode", [ReplyMode.PUBLIC_REPLY, ReplyMode.PRIVATE_REPLY])
def test_messenger_only_sends_messages(mode: ReplyMode) -> None:
    assert violation("messenger", reply(mode=mode)) == (
        "Messenger conversations are private: answer with a message"
    )


# --- errors -----------------------------------------------------------------------------------


def meta_error(code: int, message: str = "(#4) Application request limit reached", **more: object):
    return {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "AbCdEf123",
            **more,
        }
    }


def send_public_reply(response: httpx.Response) -> ConnectorError:
    respx.post(f"{V}/{COMMENT_ID}/comments").mock(return_value=response)
    with pytest.raises(ConnectorError) as caught:
        connector("facebook").send(reply(mode=ReplyMode.PUBLIC_REPLY), timeout=5)
    return caught.value


@respx.mock
@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001, 80002, 80006, 341])
@pytest.mark.parametrize("status", [400, 403, 500])
def test_throttling_is_temporary_and_backs_off_60_s(code: int, status: int) -> None:
    error = send_public_reply(httpx.Response(status, json=meta_error(code)))

    assert (error.permanent, error.retry_after, error.status_code) == (False, 60.0, status)


@respx.mock
def test_throttling_waits_for_the_business_use_case_regain_time() -> None:
    usage = {
        "1234": [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 20,
                "total_time": 20,
                "estimated_time_to_regain_access": 5,
            }
        ]
    }
    response = httpx.Response(
        400, json=meta_error(32), headers={"X-Business-Use-Case-Usage": json.dumps(usage)}
    )

    error = send_public_reply(response)

    assert (error.permanent, error.retry_after) == (False, 300.0)
    assert str(error) == (
        "Meta rate limit reached (code 32, trace AbCdEf123): (#4) Application request limit "
        "reached — retrying in 300 s"
    )


@respx.mock
def test_already_replied_is_permanent_with_a_clear_message() -> None:
    error = send_public_reply(
        httpx.Response(400, json=meta_error(10900, "(#10900) Activity already replied to"))
    )

    assert (error.permanent, error.retry_after, error.status_code) == (True, None, 400)
    assert str(error) == (
        "Meta refused: this comment already has a private reply (code 10900, trace AbCdEf123): "
        "(#10900) Activity already replied to — only one is allowed (if an earlier attempt "
        "timed out, it was probably delivered)"
    )


@respx.mock
def test_a_person_who_cannot_receive_a_reply_is_permanent() -> None:
    error = send_public_reply(
        httpx.Response(500, json=meta_error(10903, "This user cant reply to this activity"))
    )

    assert error.permanent is True
    assert str(error) == (
        "Meta refused: this person cannot receive a reply to this activity (code 10903, trace "
        "AbCdEf123): This user cant reply to this activity — answer publicly instead"
    )


@respx.mock
def test_an_invalid_token_is_permanent_and_asks_for_a_reconnect() -> None:
    error = send_public_reply(
        httpx.Response(400, json=meta_error(190, "Error validating access token"))
    )

    assert error.permanent is True
    assert str(error) == (
        "Meta refused the Page access token (code 190, trace AbCdEf123): Error validating "
        "access token — an admin must reconnect the channel"
    )


@respx.mock
@pytest.mark.parametrize(
    ("response", "permanent"),
    [
        (httpx.Response(500, json=meta_error(2, "Service temporarily unavailable")), False),
        (httpx.Response(400, json=meta_error(1, "An unknown error occurred")), False),
        (httpx.Response(400, json=meta_error(100, "Invalid parameter", is_transient=True)), False),
        (httpx.Response(503, json=meta_error(100, "Invalid parameter")), False),
        (httpx.Response(502, text="<html>Bad gateway</html>"), False),
        (httpx.Response(400, json=meta_error(100, "Invalid parameter")), True),
        (httpx.Response(403, json=meta_error(200, "Permissions error")), True),
        (httpx.Response(404, text="not found"), True),
    ],
    ids=[
        "code-2",
        "code-1",
        "is-transient",
        "5xx-json",
        "5xx-html",
        "code-100",
        "code-200",
        "404-html",
    ],
)
def test_server_trouble_is_temporary_and_bad_requests_are_permanent(
    response: httpx.Response, permanent: bool
) -> None:
    assert send_public_reply(response).permanent is permanent


@respx.mock
def test_a_timeout_is_temporary() -> None:
    respx.post(f"{V}/{COMMENT_ID}/comments").mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(ConnectorError) as caught:
        connector("facebook").send(reply(mode=ReplyMode.PUBLIC_REPLY), timeout=5)

    assert (caught.value.permanent, caught.value.status_code) == (False, None)
    assert str(caught.value) == "Meta did not answer within 5 s; the call may have gone through"


@respx.mock
def test_a_network_failure_is_temporary() -> None:
    respx.post(f"{V}/{COMMENT_ID}/comments").mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(ConnectorError) as caught:
        connector("facebook").send(reply(mode=ReplyMode.PUBLIC_REPLY), timeout=5)

    assert caught.value.permanent is False
    assert str(caught.value) == "could not reach Meta: ConnectError"


# --- usage headers ---------------------------------------------------------------------------


def _buc(**usage: int) -> dict[str, str]:
    return {"X-Business-Use-Case-Usage": json.dumps({"1234": [{"type": "pages", **usage}]})}


@pytest.mark.parametrize(
    ("headers", "pause"),
    [
        ({}, None),
        ({"X-App-Usage": '{"call_count":28,"total_time":25,"total_cputime":25}'}, None),
        ({"X-App-Usage": '{"call_count":28,"total_time":95,"total_cputime":25}'}, 60.0),
        ({"x-app-usage": '{"call_count":99}'}, 60.0),
        (_buc(call_count=94, total_time=20, estimated_time_to_regain_access=0), None),
        (_buc(call_count=95, total_time=20, estimated_time_to_regain_access=0), 60.0),
        (_buc(call_count=100, estimated_time_to_regain_access=3), 180.0),
        ({"X-App-Usage": "not json"}, None),
        ({"X-Business-Use-Case-Usage": '{"1234": "oops"}'}, None),
    ],
    ids=[
        "none",
        "low",
        "app-95",
        "lowercase",
        "buc-94",
        "buc-95",
        "regain",
        "garbage",
        "odd-shape",
    ],
)
def test_usage_pressure_turns_usage_headers_into_a_pause(
    headers: dict[str, str], pause: float | None
) -> None:
    assert usage_pressure(headers) == pause


@respx.mock
def test_a_successful_call_records_the_usage_pressure() -> None:
    respx.post(f"{V}/{COMMENT_ID}/comments").mock(
        return_value=httpx.Response(
            200, json={"id": "c1"}, headers={"X-App-Usage": '{"call_count":97}'}
        )
    )
    facebook = connector("facebook")

    facebook.send(reply(mode=ReplyMode.PUBLIC_REPLY), timeout=5)

    assert facebook.last_usage_pressure == 60.0


# --- find_sent -------------------------------------------------------------------------------


def _comments(*rows: tuple[str, str, str]) -> dict[str, object]:
    return {
        "data": [
            {"id": cid, "message": text, "from": {"id": author, "name": "x"}}
            for cid, author, text in rows
        ]
    }


@respx.mock
def test_find_sent_finds_the_pages_reply_with_the_same_text() -> None:
    route = respx.get(f"{V}/{COMMENT_ID}/comments").mock(
        return_value=httpx.Response(
            200,
            json=_comments(
                ("c-customer", "6543210987654321", "Sorry Jane — we're on it"),
                ("c-page", PAGE_ID, "Sorry Jane — we're on it"),
            ),
        )
    )

    found = connector("facebook").find_sent(reply(mode=ReplyMode.PUBLIC_REPLY), timeout=5)

    assert found == SendResult(external_id="c-page", status_code=200)
    assert_signed(
        route.calls.last.request,
        fields="id,message,from",
        filter="stream",
        order="reverse_chronological",
        limit="25",
    )


@respx.mock
def test_find_sent_returns_none_when_the_page_has_not_replied_with_that_text() -> None:
    respx.get(f"{V}/{COMMENT_ID}/comments").mock(
        return_value=httpx.Response(
            200,
            json=_comments(
                ("c-page", PAGE_ID, "Another answer"),
                ("c-customer", "6543210987654321", "Sorry Jane — we're on it"),
            ),
        )
    )

    assert connector("facebook").find_sent(reply(mode=ReplyMode.PUBLIC_REPLY), timeout=5) is None


@respx.mock
def test_find_sent_looks_through_instagram_replies() -> None:
    route = respx.get(f"{V}/{IG_COMMENT}/replies").mock(
        return_value=httpx.Response(
            200,
            json={
                "data": [
                    {
                        "id": "17870000000000001",
                        "text": "Sent you a DM!",
                        "from": {"id": "17841405309211844", "username": "acme.shop"},
                    }
                ]
            },
        )
    )

    found = connector("instagram").find_sent(
        reply("Sent you a DM!", mode=ReplyMode.PUBLIC_REPLY, reply_to=IG_COMMENT), timeout=5
    )

    assert found == SendResult(external_id="17870000000000001", status_code=200)
    assert_signed(route.calls.last.request, fields="id,text,from")


@respx.mock
@pytest.mark.parametrize(
    ("platform", "mode"),
    [
        ("facebook", ReplyMode.PRIVATE_REPLY),
        ("instagram", ReplyMode.MESSAGE),
        ("messenger", ReplyMode.MESSAGE),
    ],
)
def test_find_sent_cannot_look_up_messages(platform: str, mode: ReplyMode) -> None:
    assert connector(platform).find_sent(reply(mode=mode), timeout=5) is None
    assert respx.calls.call_count == 0


# --- moderation ------------------------------------------------------------------------------


@respx.mock
@pytest.mark.parametrize(
    ("platform", "action", "field"),
    [
        ("facebook", Action.HIDE, {"is_hidden": ["true"]}),
        ("facebook", Action.UNHIDE, {"is_hidden": ["false"]}),
        ("instagram", Action.HIDE, {"hide": ["true"]}),
        ("instagram", Action.UNHIDE, {"hide": ["false"]}),
    ],
)
def test_hiding_posts_the_platforms_hide_parameter(
    platform: str, action: Action, field: dict[str, list[str]]
) -> None:
    route = respx.post(f"{V}/{COMMENT_ID}").mock(
        return_value=httpx.Response(200, json={"success": True})
    )

    connector(platform).moderate(COMMENT_ID, action, timeout=5)

    request = route.calls.last.request
    assert_signed(request)
    assert form(request) == field


@respx.mock
@pytest.mark.parametrize("platform", ["facebook", "instagram"])
def test_deleting_sends_delete_to_the_comment(platform: str) -> None:
    route = respx.delete(f"{V}/{COMMENT_ID}").mock(
        return_value=httpx.Response(200, json={"success": True})
    )

    connector(platform).moderate(COMMENT_ID, Action.DELETE, timeout=5)

    request = route.calls.last.request
    assert_signed(request)
    assert request.content == b""


@respx.mock
def test_a_hide_answered_with_success_false_fails() -> None:
    respx.post(f"{V}/{COMMENT_ID}").mock(return_value=httpx.Response(200, json={"success": False}))

    with pytest.raises(ConnectorError) as caught:
        connector("facebook").moderate(COMMENT_ID, Action.HIDE, timeout=5)

    assert str(caught.value) == f"Meta answered success=false to hide {COMMENT_ID}"


@respx.mock
@pytest.mark.parametrize(
    ("platform", "action", "message"),
    [
        ("messenger", Action.HIDE, "Messenger cannot hide items"),
        ("facebook", Action.EDIT, "Facebook cannot edit items"),
        ("instagram", Action.ADD, "Instagram cannot add items"),
    ],
)
def test_unsupported_moderation_fails_permanently(
    platform: str, action: Action, message: str
) -> None:
    with pytest.raises(ConnectorError) as caught:
        connector(platform).moderate(COMMENT_ID, action, timeout=5)

    assert (caught.value.permanent, str(caught.value)) == (True, message)
    assert respx.calls.call_count == 0
