from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from careline.inbox.models import Channel

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("channel", *args, stdout=out)
    return out.getvalue()


def test_adding_a_meta_channel_prints_its_webhook_url_and_a_new_verify_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FB_SECRET", "app-secret-from-env")

    out = run(
        "add",
        "messenger",
        "--name",
        "Shop DMs",
        "--app-secret",
        "env:FB_SECRET",
        "--page-access-token",
        "tok",
        "--page-id",
        "104738291234567",
    )

    channel = Channel.objects.get()
    lines = out.splitlines()
    assert lines[:2] == [
        "channel shop-dms (messenger) added.",
        "webhook URL:  http://127.0.0.1:8000/hooks/meta/shop-dms",
    ]
    token = lines[2].removeprefix("verify token:  ")
    assert channel.credentials == {
        "app_secret": "app-secret-from-env",
        "page_access_token": "tok",
        "page_id": "104738291234567",
        "verify_token": token,
    }
    assert (channel.platform, channel.external_id) == ("messenger", "104738291234567")
    assert len(token) >= 24


def test_a_polled_platform_has_no_webhook() -> None:
    out = run(
        "add",
        "mastodon",
        "--name",
        "toots",
        "--instance-url",
        "https://m.example",
        "--access-token",
        "t",
        "--account-id",
        "42",
    )

    assert "no webhook: careline polls this channel every minute." in out
    assert Channel.objects.get().external_id == "42"


def test_missing_credentials_are_named_and_nothing_is_stored() -> None:
    with pytest.raises(CommandError, match="x needs: user_id, consumer_secret, user_access_token"):
        run("add", "x", "--name", "shop-x")

    assert Channel.objects.count() == 0


def test_a_duplicate_name_is_refused() -> None:
    run("add", "generic", "--name", "hook")

    with pytest.raises(CommandError, match="a channel named 'hook' exists already"):
        run("add", "generic", "--name", "hook")
