"""Cases for the escalation tests: ingested (so triaged) on the generic channel, at T0."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from careline.accounts.models import Role, Team, User
from careline.cases.models import Conversation
from careline.escalations.models import NotificationTarget
from careline.inbox.models import Channel
from careline.ingestion.services import ingest_items
from conftest import T0, item, make_user

WEBHOOK = "https://chat.example.test/hooks/T000/B000"


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def make_case(
    generic_channel: Channel, frozen: time_machine.Traveller
) -> Callable[..., Conversation]:
    counter = iter(range(1, 1000))

    def make(text: str, *, author: str = "cust", severity: int | None = None) -> Conversation:
        n = next(counter)
        ingest_items(generic_channel, [item(f"p{n}", author=author, text=text, minutes=0)])
        case = Conversation.objects.get(messages__external_id=f"p{n}")
        if severity is not None:
            Conversation.objects.filter(pk=case.pk).update(triage_severity=severity)
            case.refresh_from_db()
        return case

    return make


@pytest.fixture
def safety_team(db: None) -> Team:
    return Team.objects.create(name="safety")


@pytest.fixture
def safety_agent(safety_team: Team) -> User:
    return make_user("sofia", Role.AGENT, safety_team)


@pytest.fixture
def chat_supervisors(db: None) -> NotificationTarget:
    return NotificationTarget.objects.create(
        name="supervisors", channel="chat", config={"webhook_url": WEBHOOK}
    )


@pytest.fixture
def email_legal(db: None) -> NotificationTarget:
    return NotificationTarget.objects.create(
        name="legal", channel="email", config={"emails": ["legal@example.test"]}
    )


def rules_json(*rules: dict[str, Any]) -> str:
    return json.dumps({"version": 1, "rules": list(rules)})


def rule(
    id: str, order: int, conditions: list[dict[str, Any]], actions: list[dict[str, Any]], **kw: Any
) -> dict[str, Any]:
    return {
        "id": id,
        "name": id.replace("-", " ").title(),
        "order": order,
        "explanation": f"why {id}",
        "conditions": conditions,
        "actions": actions,
        **kw,
    }
