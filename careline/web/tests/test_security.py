"""What people post is shown as text, never run; the pages keep a strict CSP."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from careline.accounts.models import User
from careline.cases.models import Conversation
from careline.cases.services import add_note
from careline.connectors.base import InboundItem
from careline.inbox.models import Channel
from careline.ingestion.services import ingest_items
from careline.web.tests.conftest import Cases, login
from conftest import T0

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
IMG_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture
def hostile(generic_channel: Channel) -> Conversation:
    """A case whose post, author handle and author name are all markup."""
    ingest_items(
        generic_channel,
        [
            InboundItem(
                external_id=IMG,
                author_id="evil",
                author_handle=SCRIPT,
                author_name=IMG,
                text=SCRIPT,
                created_at=T0,
                public=True,
            ),
            InboundItem(
                external_id="p2",
                author_id="evil",
                author_handle=SCRIPT,
                author_name=IMG,
                text=IMG,
                created_at=T0,
                public=True,
                reply_to=IMG,
            ),
        ],
    )
    case = Conversation.objects.get()
    return case


def assert_shown_as_text(html: str) -> None:
    assert SCRIPT_ESCAPED in html
    assert IMG_ESCAPED in html
    assert SCRIPT not in html
    assert IMG not in html
    # The only script tags are ours; no image tag at all.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/careline/vendor/htmx.min.js" defer>',
        '<script src="/static/careline/app.js" defer>',
        '<script src="/static/careline/assignment.js" defer>',
        '<script src="/static/careline/sla.js" defer>',
    ]
    assert "<img" not in html


def test_markup_in_posts_and_names_shows_as_text_in_the_inbox(
    client: Client, supervisor: User, hostile: Conversation
) -> None:
    html = login(client, supervisor).get(reverse("inbox")).content.decode()

    assert_shown_as_text(html)
    assert f'<td class="col-author" title="{IMG_ESCAPED}">{SCRIPT_ESCAPED}</td>' in html


def test_markup_in_the_inbox_fragment_shows_as_text(
    client: Client, supervisor: User, hostile: Conversation
) -> None:
    response = login(client, supervisor).get(reverse("inbox"), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert SCRIPT_ESCAPED in html
    assert SCRIPT not in html
    assert "<script" not in html


def test_markup_in_posts_names_ids_and_notes_shows_as_text_on_the_conversation_page(
    client: Client, supervisor: User, hostile: Conversation
) -> None:
    add_note(hostile, text=IMG, actor=supervisor)

    html = login(client, supervisor).get(reverse("conversation", args=[hostile.pk])).content
    text = html.decode()

    assert_shown_as_text(text)
    assert re.findall(r'<div class="msg-text">(.*?)</div>', text) == [SCRIPT_ESCAPED, IMG_ESCAPED]
    assert f"<dt>Handle</dt><dd>{SCRIPT_ESCAPED}</dd>" in text
    assert f"<dt>Name</dt><dd>{IMG_ESCAPED}</dd>" in text
    assert f"id {IMG_ESCAPED}" in text
    assert f'<td class="wrap">{IMG_ESCAPED}</td>' in text
    assert f'<span class="kv-key">message</span> {IMG_ESCAPED}' in text


def test_markup_in_a_reply_shows_as_text(client: Client, agent: User, cases: Cases) -> None:
    login(client, agent).post(
        reverse("conversation-reply", args=[cases.team_a.pk]),
        {"text": SCRIPT, "visibility": "public"},
    )

    html = client.get(reverse("conversation", args=[cases.team_a.pk])).content.decode()

    assert f'<div class="msg-text">{SCRIPT_ESCAPED}</div>' in html
    assert SCRIPT not in html


@pytest.mark.parametrize("name", ["login", "inbox", "conversation", "channels"])
def test_every_page_sends_a_strict_content_security_policy(
    client: Client, admin_user: User, cases: Cases, name: str
) -> None:
    if name != "login":
        login(client, admin_user)
    url = reverse(name, args=[cases.team_a.pk]) if name == "conversation" else reverse(name)

    response = client.get(url)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


@pytest.mark.parametrize("name", ["login", "inbox", "conversation", "channels"])
def test_pages_have_no_inline_scripts_styles_or_handlers(
    client: Client, admin_user: User, cases: Cases, name: str
) -> None:
    if name != "login":
        login(client, admin_user)
    url = reverse(name, args=[cases.team_a.pk]) if name == "conversation" else reverse(name)

    html = client.get(url).content.decode()

    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []
    assert "<style" not in html
    assert re.findall(r"\sstyle=", html) == []
    assert re.findall(r"\s(?:on[a-z]+|hx-on[:\w-]*)=", html) == []
    assert (
        '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, "allowEval": false,'
        in html
    )
