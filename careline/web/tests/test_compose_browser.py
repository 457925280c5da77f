"""The composer in a real Chromium: draft from the playbook, switch variant, the live tone
check, a held offer, and a supervisor's approval. Skipped without /usr/bin/chromium, unless
CARELINE_REQUIRE_BROWSER is set (CI)."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from careline.accounts.models import Role, Team
from careline.cases.models import Conversation
from careline.connectors.base import InboundItem
from careline.inbox.models import Channel, Platform
from careline.ingestion.services import ingest_items
from careline.replies.models import HeldReply, HeldStatus
from conftest import GENERIC_SECRET, make_user

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def case(live_server: Any, settings: Any) -> Conversation:
    settings.CARELINE_DEMO_SINK = True
    team = Team.objects.create(name="Front line")
    make_user("alice", Role.AGENT, team)
    make_user("sam", Role.SUPERVISOR, team)
    shop = Channel.objects.create(
        name="shop-webhook",
        platform=Platform.GENERIC,
        display_name="Larkspur shop",
        credentials={"secret": GENERIC_SECRET, "callback_url": f"{live_server.url}/demo/sink"},
    )
    ingest_items(
        shop,
        [
            InboundItem(
                external_id="s1",
                author_id="maria_k",
                author_handle="@maria_k",
                author_name="Maria Keller",
                text="My parcel is late and tracking has not moved since Friday.",
                created_at=timezone.now() - timedelta(minutes=12),
                public=True,
            )
        ],
    )
    Conversation.objects.update(team=team, triage_kind="complaint", triage_topic="delivery")
    return Conversation.objects.get()


def _log_in(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"pw-{username}")
    page.get_by_role("button", name="Log in").click()


def test_draft_tone_check_hold_and_approval_in_the_browser(
    live_server: Any, case: Conversation, chromium_page: Any
) -> None:
    page = chromium_page
    from playwright.sync_api import expect

    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    _log_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/c/{case.pk}/")
    reply_box = page.get_by_label("Reply", exact=True)

    # Draft: the text lands in the page's own reply box, the reason beside it.
    page.get_by_label("Draft from playbook").select_option("initial")
    page.get_by_role("button", name="Draft", exact=True).click()
    expect(page.get_by_test_id("draft-reason")).to_contain_text("Delivery complaint")
    expect(reply_box).to_have_value(re.compile(r"Maria"))
    first = reply_box.input_value()

    # Another variant reads differently; the tone guard checks it after it lands.
    page.locator(".variant-switch a:not(.btn-primary)").first.click()
    expect(reply_box).not_to_have_value(first)
    expect(page.get_by_test_id("tone-ok")).to_be_visible()

    # An offer above the limit: the live check warns, sending holds it.
    reply_box.fill("Hi Maria, sorry about the parcel. I can offer you a £100 credit. - Alice")
    expect(page.get_by_test_id("tone-approval")).to_contain_text("holds it for a supervisor")
    expect(page.locator(".tone-excerpt mark").first).to_be_visible()
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_test_id("held-replies")).to_contain_text("£100 credit")
    assert HeldReply.objects.get().status == HeldStatus.HELD

    # The supervisor approves it from the list; it is delivered.
    page.get_by_role("button", name="Log out").click()
    _log_in(page, live_server.url, "sam")
    page.goto(f"{live_server.url}/approvals/")
    page.get_by_role("button", name="Approve and send").click()
    expect(page.get_by_test_id("no-held")).to_be_visible()
    page.goto(f"{live_server.url}/c/{case.pk}/")
    expect(page.locator(".msg-out .msg-text")).to_contain_text("£100 credit")
    assert HeldReply.objects.get().status == HeldStatus.APPROVED
    assert problems == []
