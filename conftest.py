"""Shared fixtures: personas, channels and a way to ingest items, for every app's tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from careline.accounts.models import Role, Team, User
from careline.connectors.base import InboundItem
from careline.inbox.models import Channel, Platform

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
GENERIC_SECRET = "s3cret-webhook-key"
CALLBACK_URL = "https://relay.example.test/replies"


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    # Tasks run inline in tests; the ORM queue has its own test of the worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # The real hasher costs ~0.3 s per user; tests create many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team_a(db: None) -> Team:
    return Team.objects.create(name="Team A")


@pytest.fixture
def team_b(db: None) -> Team:
    return Team.objects.create(name="Team B")


def make_user(username: str, role: str, *teams: Team) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username, role=role)
    user.teams.set(teams)
    return user


@pytest.fixture
def agent(team_a: Team) -> User:
    return make_user("alice", Role.AGENT, team_a)


@pytest.fixture
def supervisor(team_a: Team) -> User:
    return make_user("sam", Role.SUPERVISOR, team_a)


@pytest.fixture
def admin_user(db: None) -> User:
    return make_user("ada", Role.ADMIN)


@pytest.fixture
def outsider(team_b: Team) -> User:
    """An agent of another team: cases of team A are not theirs to see."""
    return make_user("otto", Role.AGENT, team_b)


@pytest.fixture
def generic_channel(db: None) -> Channel:
    return Channel.objects.create(
        name="shop-webhook",
        platform=Platform.GENERIC,
        external_id="shop",
        credentials={"secret": GENERIC_SECRET, "callback_url": CALLBACK_URL},
    )


def item(
    external_id: str,
    *,
    author: str = "u1",
    text: str = "Where is my order?",
    minutes: int = 0,
    public: bool = True,
    reply_to: str = "",
) -> InboundItem:
    return InboundItem(
        external_id=external_id,
        author_id=author,
        author_handle="@" + author,
        author_name=author.title(),
        text=text,
        created_at=T0 + timedelta(minutes=minutes),
        public=public,
        reply_to=reply_to,
    )


CHROMIUM = Path("/usr/bin/chromium")
# Headless on a closed network: without these Chromium stalls on background fetches.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def chromium_page() -> Iterator[Any]:
    """A Playwright page in Debian's Chromium; skipped without it unless CI requires it.

    Set DJANGO_ALLOW_ASYNC_UNSAFE in the test module: Playwright's sync API runs an event
    loop in the test's thread, and the test's ORM calls are plain synchronous code.
    """
    if not CHROMIUM.exists():
        if os.environ.get("CARELINE_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing and CARELINE_REQUIRE_BROWSER is set")
        pytest.skip(f"{CHROMIUM} is not installed")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1360, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            yield page
        finally:
            # The test's ORM calls opened a connection that the test database teardown does
            # not close once Playwright's loop has exited (PostgreSQL then refused to drop
            # test_test: "being accessed by other users"); closing it here, inside, works.
            connections.close_all()
            context.close()
            browser.close()
