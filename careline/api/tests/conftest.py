from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx
import time_machine

from careline.accounts.models import Team, User
from careline.cases.models import Conversation
from careline.inbox.models import Channel
from careline.ingestion.services import ingest_items
from conftest import item

from .support import NOW


@pytest.fixture(autouse=True)
def _frozen_time() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def platform_http() -> Iterator[respx.MockRouter]:
    """Outbound HTTP is mocked at the seam; a request to an unmocked URL fails the test."""
    with respx.mock(assert_all_called=False) as router:
        yield router


@pytest.fixture
def everyone(agent: User, outsider: User, supervisor: User, admin_user: User) -> None:
    """All four personas exist, so any of them can be named as an assignee."""


@pytest.fixture
def case(generic_channel: Channel, team_a: Team) -> Conversation:
    """A new case of team A: one public post, ``p1`` by ``@u1``."""
    ingest_items(generic_channel, [item("p1", text="My parcel is late")])
    Conversation.objects.update(team=team_a)
    return Conversation.objects.get()
