from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from careline.connectors.base import InboundItem, PayloadError, ReplyMode
from careline.connectors.mastodon.connector import MastodonConnector
from careline.connectors.mastodon.payloads import (
    SseEvent,
    ensure_mention,
    html_to_text,
    iter_sse_events,
    iter_stream_events,
    reply_visibility,
    status_length,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BRAND_ID = "109000000000000001"
H_CARD = (
    '<span class="h-card" translate="no"><a href="https://mastodon.example/@AcmeSupport" '
    'class="u-url mention">@<span>AcmeSupport</span></a></span>'
)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def stream_lines() -> list[str]:
    return (FIXTURES / "stream_user_notification.txt").read_text().splitlines()


@pytest.fixture
def connector() -> MastodonConnector:
    return MastodonConnector(
        credentials={
            "instance_url": "https://mastodon.example",
            "access_token": "tok-123",
            "account_id": BRAND_ID,
        }
    )


def test_a_public_mention_fixture_parses_to_exactly_this_item(connector: MastodonConnector) -> None:
    items = connector.parse(fixture_bytes("notification_mention.json"), max_text_chars=20_000)

    assert items == [
        InboundItem(
            external_id="113000000000000100",
            author_id="109000000000000042",
            author_handle="@jane@other.example",
            author_name="Jane Doe",
            text=(
                '@AcmeSupport my order #1234 hasn\'t arrived & tracking says "delivered"\n\n'
                "Tracking: https://track.example/parcel/AB123456789\nPlease help!"
            ),
            created_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
            public=True,
            reply_to="113000000000000050",
            kind="mention",
            extra={
                "notification_id": "3000",
                "visibility": "public",
                "url": "https://mastodon.example/@jane/113000000000000100",
                "acct": "jane@other.example",
                "language": "en",
                "attachments": ["https://files.mastodon.example/media/7.png"],
            },
        )
    ]


def test_a_direct_mention_becomes_a_private_dm(connector: MastodonConnector) -> None:
    [item] = connector.parse(fixture_bytes("notification_direct.json"), max_text_chars=20_000)

    assert (item.external_id, item.author_id, item.author_handle, item.author_name) == (
        "113000000000000101",
        "109000000000000043",
        "@bob",
        "Bob",
    )
    assert item.text == "@AcmeSupport my address is 1 Main St, please don't post it publicly"
    assert (item.public, item.kind, item.reply_to) == (False, "dm", "")
    assert item.created_at == datetime(2026, 11, 2, 9, 5, tzinfo=UTC)


def test_a_page_keeps_mentions_only_oldest_first_without_the_brands_own_or_deleted_ones(
    connector: MastodonConnector,
) -> None:
    items = connector.parse(fixture_bytes("notifications_page.json"), max_text_chars=20_000)

    assert [(i.external_id, i.author_handle, i.public, i.kind, i.text) for i in items] == [
        ("113000000000000201", "@dave", False, "mention", "@AcmeSupport followers-only question"),
        (
            "113000000000000205",
            "@carol@social.example",
            True,
            "mention",
            "@AcmeSupport is the shop open on Sunday?",
        ),
    ]
    # Carol has no display name: her handle stands in.
    assert items[1].author_name == "carol@social.example"
    assert items[0].extra["visibility"] == "private"


def test_text_longer_than_the_limit_is_cut_and_marked(connector: MastodonConnector) -> None:
    [item] = connector.parse(fixture_bytes("notification_direct.json"), max_text_chars=12)

    assert item.text == "@AcmeSupport"
    assert item.extra["truncated"] is True


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "body is not valid JSON"),
        (b"[1, 2]", "notification 0 is not an object"),
        (
            json.dumps({"id": "1", "type": "mention", "status": {"id": "9"}}).encode(),
            "notification 0: status 9 has no account id",
        ),
        (
            json.dumps(
                {"id": "1", "type": "mention", "status": {"id": "9", "account": {"id": "5"}}}
            ).encode(),
            "notification 0: status 9 has no created_at time",
        ),
    ],
)
def test_parse_refuses_a_malformed_body_and_says_why(
    connector: MastodonConnector, body: bytes, message: str
) -> None:
    with pytest.raises(PayloadError) as caught:
        connector.parse(body, max_text_chars=20_000)

    assert str(caught.value).startswith(message)


# --- HTML to text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Hello<script>alert('x')</script> world</p>", "Hello world"),
        ('<p>pic <img src="x" onerror="alert(1)"> here</p>', "pic here"),
        ('<p><a href="javascript:alert(1)" onclick="steal()">click</a> me</p>', "click me"),
        (
            "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;s&#39;</p>",
            "<script>alert(1)</script> & \"q\" 's'",
        ),
        ("<p>caf&eacute; &#x1F600; &nbsp;x</p>", "café 😀 \xa0x"),
        (
            "<div><p>one <b><i><u>deeply</u></i></b> nested</p><p>two</p></div>",
            "one deeply nested\n\ntwo",
        ),
        ("<p>a<br>b<br/>c<br><br><br><br>d</p>", "a\nb\nc\n\nd"),
        ("<style>p { color: red }</style><p>styled</p>", "styled"),
        ("<p>before<!-- <b>hidden</b> -->after</p>", "beforeafter"),
        ("<p>unclosed <b>bold <i>italic", "unclosed bold italic"),
        ("<template><p>inert</p></template><p>shown</p>", "shown"),
        ("<svg><script>evil()</script><text>drawn</text></svg>ok", "ok"),
        ("<p>\n  spaced\t\tout  \n</p>", "spaced out"),
        ("<p>nul\x00 and bell\x07 removed</p>", "nul and bell removed"),
        ("<ul>\n  <li>one</li>\n  <li>two</li>\n</ul>", "one\ntwo"),
        ("<p>a</p>  <p>b</p>", "a\n\nb"),
        ("plain text, no tags", "plain text, no tags"),
        ("", ""),
    ],
)
def test_html_becomes_inert_plain_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_a_mention_and_a_shortened_link_come_out_whole() -> None:
    html = (
        f"<p>{H_CARD} see "
        '<a href="https://example.com/orders/123456789/status">'
        '<span class="invisible">https://</span><span class="ellipsis">example.com/orders/1234'
        '</span><span class="invisible">56789/status</span></a></p>'
    )

    assert html_to_text(html) == "@AcmeSupport see https://example.com/orders/123456789/status"


# --- server-sent events -----------------------------------------------------------------------


def test_sse_parsing_skips_heartbeats_and_joins_multi_line_data() -> None:
    lines = [
        ":thump",
        "event: notification",
        'data: {"a":',
        "data:  1}",
        "",
        ":thump",
        "",
        "data: no event name",
        "",
        "event: delete",
        "data: 42",
        "id: 7",
        "",
        "event: notification",
        "data: cut off before its blank line",
    ]

    assert list(iter_sse_events(lines)) == [
        SseEvent(event="notification", data='{"a":\n 1}'),
        SseEvent(event="message", data="no event name"),
        SseEvent(event="delete", data="42"),
    ]


def test_a_recorded_stream_yields_the_two_mentions_and_nothing_else() -> None:
    items = list(iter_stream_events(stream_lines(), account_id=BRAND_ID))

    assert [
        (i.external_id, i.author_handle, i.text, i.public, i.kind, i.created_at) for i in items
    ] == [
        (
            "113000000000000300",
            "@jane@other.example",
            "@AcmeSupport still waiting 😤",
            True,
            "mention",
            datetime(2026, 11, 2, 11, 0, tzinfo=UTC),
        ),
        (
            "113000000000000301",
            "@bob",
            "@AcmeSupport sent you my order number",
            False,
            "dm",
            datetime(2026, 11, 2, 11, 1, tzinfo=UTC),
        ),
    ]


def test_the_recorded_stream_has_exactly_these_events() -> None:
    events = [(event.event, event.data[:24]) for event in iter_sse_events(stream_lines())]

    assert events == [
        ("update", '{"id": "1130000000000003'),
        ("notification", '{"id": "3010", "type": "'),
        ("notification", '{"id": "3011", "type": "'),
        ("filters_changed", "undefined"),
        ("notification", '{"id": "3013", "type": "'),
        ("notification", '{"id": "3012", "type": "'),
    ]


# --- replies ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("hello", 5),
        ("see https://example.com/a/very/long/path/that/goes/on/and/on?x=1", 4 + 23),
        ("@jane@other.example hi", len("@jane hi")),
        ("👩‍👩‍👧‍👦 🇫🇷 👍🏽", 5),
        ("e\u0301", 1),
    ],
)
def test_status_length_counts_like_mastodon(text: str, length: int) -> None:
    assert status_length(text) == length


@pytest.mark.parametrize(
    ("text", "acct", "expected"),
    [
        ("Sorry about that!", "jane@other.example", "@jane@other.example Sorry about that!"),
        ("@jane@other.example Sorry", "jane@other.example", "@jane@other.example Sorry"),
        ("@JANE@Other.Example Sorry", "jane@other.example", "@JANE@Other.Example Sorry"),
        ("  \nHi there", "bob", "@bob Hi there"),
        ("@bob, hi", "bob", "@bob, hi"),
        ("@bobby hi", "bob", "@bob @bobby hi"),
        ("@bob@elsewhere.example hi", "bob", "@bob @bob@elsewhere.example hi"),
        ("Thanks @bob", "bob", "@bob Thanks @bob"),
    ],
)
def test_a_reply_starts_with_the_persons_mention(text: str, acct: str, expected: str) -> None:
    assert ensure_mention(text, acct) == expected


@pytest.mark.parametrize(
    ("mode", "original", "visibility"),
    [
        (ReplyMode.PUBLIC_REPLY, "public", "public"),
        (ReplyMode.PUBLIC_REPLY, "unlisted", "unlisted"),
        (ReplyMode.PUBLIC_REPLY, "private", "direct"),
        (ReplyMode.PUBLIC_REPLY, "direct", "direct"),
        (ReplyMode.PUBLIC_REPLY, None, "public"),
        (ReplyMode.MESSAGE, "public", "direct"),
        (ReplyMode.PRIVATE_REPLY, "public", "direct"),
        (ReplyMode.MESSAGE, None, "direct"),
    ],
)
def test_a_reply_never_reaches_more_people_than_the_original(
    mode: ReplyMode, original: Any, visibility: str
) -> None:
    assert reply_visibility(mode, original) == visibility
