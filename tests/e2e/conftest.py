"""End-to-end fixtures: careline on pytest-django's live server, the fake platform in a thread
next to it. Helpers for channels, injection and look-ups are in support.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from careline.fakeplatform import FakeConfig, FakePlatform


@pytest.fixture
def fake(live_server: Any) -> Iterator[FakePlatform]:
    """The fake platform on a free port; webhooks go to /hooks/<family>/fake-<platform> on the
    live server."""
    with FakePlatform(FakeConfig(careline_url=live_server.url)) as platform:
        yield platform
