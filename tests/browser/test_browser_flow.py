"""One end-to-end run in a real Chromium: log in, open a case, reply, resolve.

Replies are delivered to the demo sink on the live server itself, so the whole path runs:
form → htmx → view → outbox → generic connector (signed HTTP) → platform stand-in → thread.
Skipped when /usr/bin/chromium is missing, unless CARELINE_REQUIRE_BROWSER is set (CI).
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from careline.accounts.models import Role, Team
from careline.cases.models import Conversation
from careline.connectors.base import InboundItem
from careline.inbox.models import Channel, Platform
from careline.ingestion.services import ingest_items
from conftest import GENERIC_SECRET, make_user

# Playwright's sync API runs an event loop in this thread; the ORM calls here are plain
# synchronous test set-up and checks, not async code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SHOTS = Path(os.environ.get("CARELINE_SCREENSHOT_DIR", tempfile.gettempdir()))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def post(
    external_id: str, author: str, name: str, text: str, *, minutes: int, public: bool = True
) -> InboundItem:
    return InboundItem(
        external_id=external_id,
        author_id=author,
        author_handle="@" + author,
        author_name=name,
        text=text,
        created_at=timezone.now() - timedelta(minutes=minutes),
        public=public,
    )


@pytest.fixture
def shop(live_server: Any, settings: Any) -> Conversation:
    """A small, realistic inbox; returns the case the test works on."""
    settings.CARELINE_DEMO_SINK = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    team = Team.objects.create(name="Front line")
    make_user("alice", Role.AGENT, team)
    make_user("sam", Role.SUPERVISOR, team)
    # Replies go to the demo sink on this very server: signed, accepted, given an id.
    shop_fields: dict[str, Any] = {
        "name": "shop-webhook",
        "platform": Platform.GENERIC,
        "display_name": "Larkspur shop",
        "credentials": {"secret": GENERIC_SECRET, "callback_url": f"{live_server.url}/demo/sink"},
    }
    shop = Channel.objects.create(**shop_fields)
    x = Channel.objects.create(name="larkspur-x", platform=Platform.X, external_id="larkspur")
    ingest_items(
        shop,
        [
            post(
                "s1",
                "maria_k",
                "Maria Keller",
                "My parcel is late. Order 48213 was due "
                "on Monday and tracking has not moved since Friday.",
                minutes=12,
            ),
            post(
                "s2",
                "tom.b",
                "Tom Baker",
                "Can I change the delivery address on my order?",
                minutes=95,
                public=False,
            ),
            post(
                "s3",
                "hacker",
                "<img src=x onerror=alert(1)>",
                "<script>alert(1)</script>",
                minutes=300,
            ),
        ],
    )
    ingest_items(
        x,
        [
            post(
                "x1",
                "jo_runs",
                "Jo",
                "@larkspur the zipper on my new backpack broke after two days 😞",
                minutes=40,
            ),
            post("x2", "lena", "Lena P", "Love the new autumn collection!", minutes=180),
            post("x3", "dev_null", "D", "Is the Black Friday sale on the app too?", minutes=600),
        ],
    )
    Conversation.objects.filter(subject__startswith="@larkspur the zipper").update(
        priority="high", status="pending"
    )
    Conversation.objects.filter(subject__startswith="Love the").update(
        priority="low", status="resolved"
    )
    Conversation.objects.filter(subject__startswith="Can I change").update(priority="urgent")
    return Conversation.objects.get(subject__startswith="My parcel is late")


def test_an_agent_answers_and_resolves_a_case_in_the_browser(
    live_server: Any, shop: Conversation, chromium_page: Any
) -> None:
    from playwright.sync_api import expect

    page = chromium_page
    problems: list[str] = []
    # A CSP violation or a script error would show up here; an alert would mean a post ran.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    def on_dialog(dialog: Any) -> None:
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    htmx_posts: list[str] = []
    page.on(
        "request",
        lambda r: (
            htmx_posts.append(r.url)
            if r.method == "POST" and r.headers.get("hx-request") == "true"
            else None
        ),
    )

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("pw-alice")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".inbox-table tbody tr")).to_have_count(6)
    expect(page.get_by_text("<script>alert(1)</script>")).to_be_visible()
    page.screenshot(path=str(SHOTS / "careline-inbox.png"), full_page=True)

    # "/" jumps to search; typing filters the list in place and keeps the URL shareable.
    page.keyboard.press("/")
    expect(page.locator("input[name=q]")).to_be_focused()
    page.keyboard.type("parcel")
    expect(page).to_have_url(re.compile(r"\?q=parcel"))
    expect(page.locator(".inbox-table tbody tr")).to_have_count(1)

    page.get_by_role("link", name=re.compile("My parcel is late")).click()
    expect(page).to_have_url(f"{live_server.url}/c/{shop.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("My parcel is late")
    expect(page.get_by_label("Public reply")).to_be_checked()

    page.get_by_label("Reply", exact=True).fill("Hi Maria, sorry for the wait! It ships today.")
    page.get_by_role("button", name="Send reply").click()

    reply = page.locator(".msg-out")
    expect(reply.locator(".msg-text")).to_have_text("Hi Maria, sorry for the wait! It ships today.")
    expect(reply.get_by_test_id("delivery-status")).to_have_text("Sent")
    expect(page.locator(".flash-success")).to_have_text("Reply queued for delivery.")

    page.get_by_label("Change status").select_option("resolved")
    page.get_by_placeholder("Reason (optional)").fill("Parcel found and shipped")
    page.get_by_role("button", name="Set", exact=True).click()

    expect(page.get_by_test_id("case-status")).to_have_text("Resolved")
    record = page.locator(".record-table tbody")
    # Resolving sends the satisfaction survey through the case's channel.
    expect(record.locator("tr td:nth-child(2)")).to_have_text(
        [
            "Case created",
            "Reply queued",
            "Status changed",
            "Reply delivered",
            "Status changed",
            "Satisfaction survey sent",
            "Reply queued",
            "Reply delivered",
        ]
    )
    expect(record).to_contain_text("Parcel found and shipped")
    page.screenshot(path=str(SHOTS / "careline-conversation.png"), full_page=True)

    shop.refresh_from_db()
    assert shop.status == "resolved"
    # The agent's actions, leaving out the background calls: the live tone check while typing
    # and the presence heartbeat (collision warning).
    background = (f"/c/{shop.pk}/tone/", f"/c/{shop.pk}/presence/")
    assert [url for url in htmx_posts if not url.endswith(background)] == [
        f"{live_server.url}/c/{shop.pk}/reply/",
        f"{live_server.url}/c/{shop.pk}/status/",
    ]
    assert problems == []
