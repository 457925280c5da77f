"""Cases for the follow-up tests: a customer, an agent's answer, a resolution, a survey link.

Time is frozen (``clock``); outbound HTTP goes to a mocked relay (``relay``), which hands out
fresh platform ids so every delivery succeeds.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import respx
import time_machine
from django.core.cache import cache
from django.test import Client

from careline.accounts.models import Team, User
from careline.cases.models import Conversation
from careline.cases.services import transition_case
from careline.connectors.base import InboundItem
from careline.followup.models import Survey
from careline.inbox.models import Channel
from careline.ingestion.services import ingest_items
from careline.replies.models import OutboundMessage
from careline.replies.services import queue_reply
from conftest import CALLBACK_URL, T0

NOW = T0 + timedelta(hours=1)
LINK = re.compile(r"http://127\.0\.0\.1:8000/s/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)/")


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    traveller = time_machine.travel(NOW, tick=False)
    frozen = traveller.start()
    yield frozen
    traveller.stop()


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def relay() -> Iterator[respx.Route]:
    """The generic channel's callback; records every text careline sent."""
    counter = itertools.count(1)

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"id": f"ext-{next(counter)}"})

    with respx.mock(assert_all_called=False) as router:
        yield router.post(CALLBACK_URL).mock(side_effect=answer)


def sent_texts(route: respx.Route) -> list[str]:
    return [json.loads(call.request.content)["text"] for call in route.calls]


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Call a service and run what it queued after commit (deliveries, the survey task)."""

    def call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return call


def customer_writes(
    channel: Channel,
    external_id: str,
    text: str,
    *,
    at: datetime,
    public: bool = True,
    reply_to: str = "",
) -> None:
    ingest_items(
        channel,
        [
            InboundItem(
                external_id=external_id,
                author_id="jane-1",
                author_handle="@janesmith",
                author_name="Jane Smith",
                text=text,
                created_at=at,
                public=public,
                reply_to=reply_to,
            )
        ],
    )


@dataclass
class Story:
    """A case of team A: Jane's post, the agent's answer."""

    case: Conversation
    agent: User

    def refresh(self) -> Conversation:
        self.case.refresh_from_db()
        return self.case


@pytest.fixture
def answered(generic_channel: Channel, team_a: Team, agent: User, run: Callable[..., Any]) -> Story:
    customer_writes(generic_channel, "p1", "My parcel never arrived", at=T0)
    case = Conversation.objects.get()
    Conversation.objects.filter(pk=case.pk).update(team=team_a, assignee=agent)
    case.refresh_from_db()
    run(queue_reply, case, text="Sorry! A new parcel is on its way.", public=False, actor=agent)
    case.refresh_from_db()
    return Story(case=case, agent=agent)


@pytest.fixture
def resolved(answered: Story, run: Callable[..., Any]) -> Story:
    run(transition_case, answered.case, to="resolved", actor=answered.agent)
    answered.refresh()
    return answered


@pytest.fixture
def token(resolved: Story) -> str:
    survey = Survey.objects.get()
    assert survey.outbound is not None
    text = OutboundMessage.objects.get(pk=survey.outbound.pk).message.text
    match = LINK.search(text)
    assert match is not None, text
    return match.group(1)


def survey_path(token: str) -> str:
    return f"/s/{token}/"


@pytest.fixture
def public_client() -> Client:
    """Someone holding the link, with no account; CSRF checks on, as in a browser."""
    return Client(enforce_csrf_checks=True)


def post_answer(client: Client, token: str, **fields: Any) -> Any:
    """GET the form once (for the CSRF cookie), then POST ``fields`` with the token."""
    if "csrftoken" not in client.cookies:
        client.get(survey_path(token))
    if "csrftoken" not in client.cookies:
        client.get("/login/")  # a refused link shows no form: take the cookie from a form
    csrf = client.cookies["csrftoken"].value
    return client.post(survey_path(token), {**fields, "csrfmiddlewaretoken": csrf})
