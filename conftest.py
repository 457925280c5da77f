"""Shared fixtures: personas, channels and a way to ingest items, for every app's tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
