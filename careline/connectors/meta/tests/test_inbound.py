from __future__ import annotations

import hashlib
import hmac
import json
import logging

import pytest

from careline.connectors.base import Action, Handshake, InboundItem, PayloadError
from careline.connectors.meta.payloads import entry_account_ids
from careline.connectors.meta.tests.support import (
    COMMENT_ID,
    FIXTURES,
    IG_ID,
    PAGE_ID,
    POST_ID,
    PSID,
    VERIFY_TOKEN,
    at,
    connector,
    fixture,
    page_delivery,
)

MAX = 20_000
JANE = "6543210987654321"
SIGNED_BODY = b'{"object":"page","entry":[]}'
SIGNED_HEADER = "sha256=5da47c9c7409e70d7a1851f0cfd9bc27786bd99587a9bf1dd5b51e23a2de03cf"

# --- handshake ----------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["facebook", "instagram", "messenger"])
def test_the_handshake_echoes_the_challenge_for_the_right_token(platform: str) -> None:
    answer = connector(platform).handshake(
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    )

    assert answer == Handshake(status=200, body="1158201444", content_type="text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1158201444"},
        {"hub.mode": "subscribe", "hub.challenge": "1158201444"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN},
    ],
    ids=["bad-token", "no-token", "bad-mode", "no-mode", "no-challenge"],
)
def test_the_handshake_is_refused_with_403(params: dict[str, str]) -> None:
    answer = connector("facebook").handshake(params)

    assert answer == Handshake(status=403, body="verification failed")


def test_the_handshake_is_refused_when_the_channel_has_no_verify_token() -> None:
    answer = connector("facebook", verify_token="").handshake(
        {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1158201444"}
    )

    assert answer.status == 403


# --- signature ----------------------------------------------------------------------------


def test_the_signature_test_vector_verifies() -> None:
    assert connector("facebook").verify(
        body=SIGNED_BODY, headers={"X-Hub-Signature-256": SIGNED_HEADER}
    )


def test_the_signature_header_name_is_case_insensitive() -> None:
    assert connector("messenger").verify(
        body=SIGNED_BODY, headers={"x-hub-signature-256": SIGNED_HEADER}
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        {"X-Hub-Signature-256": SIGNED_HEADER.replace("sha256=", "sha1=")},
        {"X-Hub-Signature-256": ""},
        {},
    ],
    ids=["forged", "wrong-prefix", "empty", "missing"],
)
def test_a_forged_or_missing_signature_fails(headers: dict[str, str]) -> None:
    assert not connector("facebook").verify(body=SIGNED_BODY, headers=headers)


def test_the_legacy_sha1_header_is_ignored_even_when_valid() -> None:
    sha1 = hmac.new(b"test_app_secret", SIGNED_BODY, hashlib.sha1).hexdigest()

    assert not connector("facebook").verify(
        body=SIGNED_BODY, headers={"X-Hub-Signature": "sha1=" + sha1}
    )


def test_a_re_serialised_body_fails_the_signature() -> None:
    reserialised = json.dumps(json.loads(SIGNED_BODY)).encode()

    assert not connector("facebook").verify(
        body=reserialised, headers={"X-Hub-Signature-256": SIGNED_HEADER}
    )


def test_a_body_signed_with_another_secret_fails() -> None:
    assert not connector("facebook", app_secret="another_secret").verify(
        body=SIGNED_BODY, headers={"X-Hub-Signature-256": SIGNED_HEADER}
    )


# --- fixtures -----------------------------------------------------------------------------

JANE_COMMENT = InboundItem(
    external_id=COMMENT_ID,
    author_id=JANE,
    author_handle="",
    author_name="Jane Doe",
    text="My order #1234 hasn't arrived",
    created_at=at(16, 13, 15),
    public=True,
    reply_to=POST_ID,
    action=Action.ADD,
    kind="comment",
    extra={"account_id": PAGE_ID, "post_id": POST_ID, "parent_id": POST_ID},
)
JANE_DM = InboundItem(
    external_id="m_1457764197618:41d102a3e1ae206a38",
    author_id=PSID,
    author_handle="",
    author_name="",
    text="Hi, I need help with my order",
    created_at=at(16, 13, 20),
    public=False,
    reply_to="",
    kind="dm",
    extra={"account_id": PAGE_ID},
)


def _jane_comment_change(action: Action, text: str, when: tuple[int, ...]) -> InboundItem:
    return InboundItem(
        external_id=COMMENT_ID,
        author_id=JANE,
        author_handle="",
        author_name="Jane Doe",
        text=text,
        created_at=at(*when),
        public=True,
        reply_to=POST_ID,
        action=action,
        kind="comment",
        extra={"account_id": PAGE_ID, "post_id": POST_ID, "parent_id": POST_ID},
    )


def _visitor_post(
    post: str, author: str, name: str, text: str, when: tuple[int, ...], item: str, **extra: str
) -> InboundItem:
    return InboundItem(
        external_id=f"{PAGE_ID}_{post}",
        author_id=author,
        author_handle="",
        author_name=name,
        text=text,
        created_at=at(*when),
        public=True,
        reply_to="",
        kind="post",
        extra={"account_id": PAGE_ID, "post_id": f"{PAGE_ID}_{post}", "item": item, **extra},
    )


def _ig_comment(
    external_id: str,
    author: str,
    username: str,
    text: str,
    when: tuple[int, ...],
    reply_to: str,
    **extra: str,
) -> InboundItem:
    return InboundItem(
        external_id=external_id,
        author_id=author,
        author_handle="@" + username,
        author_name="",
        text=text,
        created_at=at(*when),
        public=True,
        reply_to=reply_to,
        kind="comment",
        extra={"account_id": IG_ID, **extra},
    )


MEDIA = "18023345989012587"

# (fixture, platform) → the exact items. Page deliveries are read by both Page connectors.
EXPECTED: dict[tuple[str, str], list[InboundItem]] = {
    ("facebook_comment_add", "facebook"): [JANE_COMMENT],
    ("facebook_comment_reply", "facebook"): [
        InboundItem(
            external_id="1122334455667788_9988776655443399",
            author_id="7654321098765432",
            author_handle="",
            author_name="Sam Lee",
            text="Same here, ordered on Monday",
            created_at=at(16, 15),
            public=True,
            reply_to=COMMENT_ID,
            kind="comment",
            extra={"account_id": PAGE_ID, "post_id": POST_ID, "parent_id": COMMENT_ID},
        )
    ],
    ("facebook_comment_edited", "facebook"): [
        _jane_comment_change(
            Action.EDIT, "My order #1234 hasn't arrived, it's been 10 days", (16, 16, 40)
        )
    ],
    ("facebook_comment_remove", "facebook"): [
        _jane_comment_change(Action.DELETE, "", (16, 18, 20))
    ],
    ("facebook_comment_hide_unhide", "facebook"): [
        _jane_comment_change(Action.HIDE, "", (16, 20)),
        _jane_comment_change(Action.UNHIDE, "", (16, 21, 40)),
    ],
    ("facebook_visitor_post", "facebook"): [
        _visitor_post(
            "2233445566778899",
            "8765432109876543",
            "Ravi Patel",
            "Your app logs me out every hour. Anyone else?",
            (16, 30),
            "post",
        )
    ],
    ("facebook_visitor_status", "facebook"): [
        _visitor_post(
            "3344556677889900",
            "8765432109876543",
            "Ravi Patel",
            "Still waiting for a refund",
            (16, 46, 40),
            "status",
        )
    ],
    ("facebook_visitor_photo_post", "facebook"): [
        _visitor_post(
            "4455667788990011",
            "9876543210987654",
            "Mia Chen",
            "This is what arrived",
            (17, 3, 20),
            "photo",
            photo_id="4455667788990011",
            link="https://cdn.example.test/broken-mug.jpg",
        )
    ],
    ("facebook_page_own_comment", "facebook"): [],
    ("facebook_unhandled_events", "facebook"): [],
    ("page_feed_and_messaging", "facebook"): [JANE_COMMENT],
    ("page_feed_and_messaging", "messenger"): [JANE_DM],
    ("page_two_pages", "facebook"): [JANE_COMMENT],
    ("page_two_pages", "messenger"): [],
    ("messenger_message", "messenger"): [JANE_DM],
    ("messenger_message_with_attachment_and_reply", "messenger"): [
        InboundItem(
            external_id="m_1457764197618:41d102a3e1ae206a39",
            author_id=PSID,
            author_handle="",
            author_name="",
            text="This one",
            created_at=at(16, 14, 20),
            public=False,
            reply_to="m_1457764197618:41d102a3e1ae206a38",
            kind="dm",
            extra={
                "account_id": PAGE_ID,
                "attachments": [{"type": "image", "url": "https://cdn.example.test/receipt.jpg"}],
                "quick_reply_payload": "ORDER_STATUS",
            },
        )
    ],
    ("messenger_echo", "messenger"): [],
    ("messenger_other_events", "messenger"): [],
    ("instagram_comment", "instagram"): [
        _ig_comment(
            "17865799348089039",
            "17841400000000001",
            "jane.doe",
            "Where is my refund?",
            (16, 13, 20),
            MEDIA,
            media_id=MEDIA,
            media_product_type="FEED",
        )
    ],
    ("instagram_comment_entry_variant", "instagram"): [
        _ig_comment(
            "17865799348089040",
            "17841400000000002",
            "tom_k",
            "Do you ship to Norway?",
            (16, 14, 10),
            MEDIA,
            media_id=MEDIA,
            media_product_type="REELS",
        )
    ],
    ("instagram_comment_reply", "instagram"): [
        _ig_comment(
            "17865799348089041",
            "17841400000000002",
            "tom_k",
            "@jane.doe same problem",
            (16, 14, 50),
            "17865799348089039",
            media_id=MEDIA,
            media_product_type="FEED",
            parent_id="17865799348089039",
        )
    ],
    ("instagram_comment_on_ad", "instagram"): [
        _ig_comment(
            "17865799348089042",
            "17841400000000003",
            "lu.mendes",
            "Is this still on sale?",
            (16, 15, 20),
            "18023345989019999",
            media_id="18023345989019999",
            media_product_type="FEED",
            ad_id="23851234567890123",
            ad_title="Summer sale",
        )
    ],
    ("instagram_own_comment", "instagram"): [],
    ("instagram_mention_in_comment", "instagram"): [
        InboundItem(
            external_id="17894227972186120",
            author_id="",
            author_handle="",
            author_name="",
            text="",
            created_at=at(16, 13, 20),
            public=True,
            reply_to="17918195224117851",
            kind="mention",
            extra={
                "account_id": IG_ID,
                "media_id": "17918195224117851",
                "comment_id": "17894227972186120",
                "needs_fetch": True,
            },
        )
    ],
    ("instagram_mention_in_caption_entry_variant", "instagram"): [
        InboundItem(
            external_id="17918195224117852",
            author_id="",
            author_handle="",
            author_name="",
            text="",
            created_at=at(16, 18, 20),
            public=True,
            reply_to="",
            kind="mention",
            extra={"account_id": IG_ID, "media_id": "17918195224117852", "needs_fetch": True},
        )
    ],
    ("instagram_direct_message", "instagram"): [
        InboundItem(
            external_id="aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx",
            author_id="1234567890123456",
            author_handle="",
            author_name="",
            text="Hi, my parcel is damaged",
            created_at=at(16, 20),
            public=False,
            reply_to="",
            kind="dm",
            extra={"account_id": IG_ID},
        )
    ],
}


def _readers(name: str) -> list[str]:
    """The platforms whose connector reads a fixture: by the object of its envelope."""
    document = json.loads(fixture(name))
    return ["instagram"] if document["object"] == "instagram" else ["facebook", "messenger"]


ALL_FIXTURES = sorted(path.stem for path in FIXTURES.glob("*.json"))


def test_every_fixture_has_expected_items_for_its_own_platform() -> None:
    covered = {name for name, _ in EXPECTED}

    assert covered == set(ALL_FIXTURES)


@pytest.mark.parametrize(("name", "platform"), sorted(EXPECTED))
def test_each_fixture_parses_to_the_exact_expected_items(name: str, platform: str) -> None:
    items = connector(platform).parse(fixture(name), max_text_chars=MAX)

    assert items == EXPECTED[(name, platform)]


@pytest.mark.parametrize(
    ("name", "platform"),
    sorted(
        (name, platform)
        for name in ALL_FIXTURES
        for platform in _readers(name)
        if (name, platform) not in EXPECTED
    ),
)
def test_a_page_connector_ignores_the_other_half_of_a_page_delivery(
    name: str, platform: str
) -> None:
    assert connector(platform).parse(fixture(name), max_text_chars=MAX) == []


@pytest.mark.parametrize(
    ("name", "platform"),
    [
        ("instagram_comment", "facebook"),
        ("instagram_comment", "messenger"),
        ("messenger_message", "instagram"),
        ("facebook_comment_add", "instagram"),
    ],
)
def test_a_delivery_for_another_object_is_refused(name: str, platform: str) -> None:
    with pytest.raises(PayloadError, match="expected a Meta delivery with object"):
        connector(platform).parse(fixture(name), max_text_chars=MAX)


def test_entry_account_ids_lists_the_accounts_a_delivery_concerns() -> None:
    assert entry_account_ids(fixture("page_two_pages")) == [PAGE_ID, "999888777666555"]


# --- feed verbs and filtering ---------------------------------------------------------------


def _comment(verb: str, **overrides: object) -> dict[str, object]:
    value: dict[str, object] = {
        "item": "comment",
        "verb": verb,
        "comment_id": COMMENT_ID,
        "post_id": POST_ID,
        "parent_id": POST_ID,
        "from": {"id": JANE, "name": "Jane Doe"},
        "message": "text",
        "created_time": 1718899995,
    }
    value.update(overrides)
    return value


@pytest.mark.parametrize(
    ("verb", "action"),
    [
        ("add", Action.ADD),
        ("edited", Action.EDIT),
        ("edit", Action.EDIT),
        ("remove", Action.DELETE),
        ("delete", Action.DELETE),
        ("hide", Action.HIDE),
        ("unhide", Action.UNHIDE),
    ],
)
def test_feed_verbs_map_to_actions(verb: str, action: Action) -> None:
    [item] = connector("facebook").parse(page_delivery(_comment(verb)), max_text_chars=MAX)

    assert item.action is action


@pytest.mark.parametrize("verb", ["block", "unblock", "follow", "mute", "update", "like", "", None])
def test_other_feed_verbs_are_skipped(verb: str | None) -> None:
    body = page_delivery(_comment(verb))  # type: ignore[arg-type]

    assert connector("facebook").parse(body, max_text_chars=MAX) == []


def test_the_pages_own_post_is_dropped() -> None:
    own_post = {
        "item": "status",
        "verb": "add",
        "post_id": POST_ID,
        "from": {"id": PAGE_ID, "name": "Acme Shop"},
        "message": "Summer sale!",
        "created_time": 1718899995,
    }

    assert connector("facebook").parse(page_delivery(own_post), max_text_chars=MAX) == []


def test_own_comments_are_dropped_by_entry_id_when_the_channel_has_no_page_id() -> None:
    facebook = connector("facebook", page_id="")
    facebook.account_id = ""
    body = page_delivery(_comment("add", **{"from": {"id": PAGE_ID, "name": "Acme Shop"}}))

    assert facebook.parse(body, max_text_chars=MAX) == []


def test_the_page_id_falls_back_to_the_channel_account_id() -> None:
    facebook = connector("facebook", page_id="")
    body = page_delivery(_comment("add"), entry_id="999888777666555")

    assert facebook.page_id == PAGE_ID
    assert facebook.parse(body, max_text_chars=MAX) == []


def test_a_comment_without_its_author_is_kept_and_marked_for_fetching() -> None:
    value = _comment("add")
    del value["from"]

    [item] = connector("facebook").parse(page_delivery(value), max_text_chars=MAX)

    assert (item.author_id, item.author_name) == ("", "")
    assert item.extra["needs_fetch"] is True


def test_the_entry_time_stands_in_for_a_missing_created_time() -> None:
    value = _comment("add")
    del value["created_time"]

    [item] = connector("facebook").parse(page_delivery(value), max_text_chars=MAX)

    assert item.created_at == at(16, 13, 20)


def test_a_comment_without_its_id_is_skipped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = page_delivery(_comment("add", comment_id=None), _comment("add", comment_id="1_2"))

    with caplog.at_level(logging.WARNING, logger="careline.connectors.meta.payloads"):
        items = connector("facebook").parse(body, max_text_chars=MAX)

    assert [item.external_id for item in items] == ["1_2"]
    assert caplog.messages == ["skipped a Page feed comment/add without its id"]


def test_text_longer_than_the_limit_is_cut_and_marked() -> None:
    body = page_delivery(_comment("add", message="0123456789abc"))

    [item] = connector("facebook").parse(body, max_text_chars=10)

    assert item.text == "0123456789"
    assert item.extra["truncated"] is True


def test_a_change_with_a_non_object_value_is_skipped() -> None:
    document = {
        "object": "page",
        "entry": [{"id": PAGE_ID, "time": 1, "changes": [{"field": "feed", "value": "x"}]}],
    }

    assert connector("facebook").parse(json.dumps(document).encode(), max_text_chars=MAX) == []


def test_an_echo_without_the_flag_is_dropped_by_its_sender() -> None:
    document = {
        "object": "page",
        "entry": [
            {
                "id": PAGE_ID,
                "time": 1718900000123,
                "messaging": [
                    {
                        "sender": {"id": PAGE_ID},
                        "recipient": {"id": PSID},
                        "timestamp": 1718900000000,
                        "message": {"mid": "m_1", "text": "We're on it"},
                    }
                ],
            }
        ],
    }

    assert connector("messenger").parse(json.dumps(document).encode(), max_text_chars=MAX) == []


# --- malformed deliveries ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "body is not valid JSON"),
        (b"\xff\xfe", "body is not valid JSON"),
        (b"[]", "not a Meta webhook envelope: the body is not a JSON object"),
        (b'{"entry": []}', "not a Meta webhook envelope: no 'object' field"),
        (b'{"object": "page"}', "not a Meta webhook envelope: 'entry' must be a list"),
        (b'{"object": "page", "entry": {}}', "not a Meta webhook envelope: 'entry' must be a list"),
        (b'{"object": "page", "entry": [1]}', "entry 0 is not an object"),
        (b'{"object": "page", "entry": [{"changes": {}}]}', "entry 0: 'changes' must be a list"),
        (
            b'{"object": "page", "entry": [{"messaging": "x"}]}',
            "entry 0: 'messaging' must be a list",
        ),
        (b'{"object": "page", "entry": [{"changes": [3]}]}', "entry 0: change 0 is not an object"),
        (
            b'{"object": "page", "entry": [{"messaging": [null]}]}',
            "entry 0: messaging event 0 is not an object",
        ),
        (
            b'{"object": "user", "entry": []}',
            "expected a Meta delivery with object 'page', got 'user'",
        ),
    ],
)
def test_a_malformed_delivery_raises_payload_error_with_the_reason(
    body: bytes, reason: str
) -> None:
    with pytest.raises(PayloadError) as caught:
        connector("facebook").parse(body, max_text_chars=MAX)

    assert str(caught.value).startswith(reason)


def test_an_empty_delivery_has_no_items() -> None:
    assert connector("messenger").parse(SIGNED_BODY, max_text_chars=MAX) == []
