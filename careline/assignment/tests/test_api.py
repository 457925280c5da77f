from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from careline.accounts.models import Role, Team, User
from careline.accounts.services import issue_api_token
from careline.assignment.models import AgentProfile, Presence, TeamRouting
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.inbox.models import Channel
from conftest import make_user

from .support import NOW, new_case, snapshot

pytestmark = pytest.mark.django_db

BASE = "/api/v1/assignment"
NOW_JSON = "2026-11-02T09:02:00Z"


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def bea(team_a: Team) -> User:
    return make_user("bea", Role.AGENT, team_a)


@pytest.fixture
def case(generic_channel: Channel, team_a: Team, agent: User) -> Conversation:
    case = new_case(generic_channel, "p1", team=team_a)
    Conversation.objects.filter(pk=case.pk).update(assignee=agent)
    case.refresh_from_db()
    return case


def call(client: Client, method: str, path: str, user: User, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {issue_api_token(user)}"}
    if body is None:
        return getattr(client, method)(BASE + path, headers=headers)
    return getattr(client, method)(
        BASE + path, body, content_type="application/json", headers=headers
    )


def test_an_agent_reads_their_profile_and_goes_away(client: Client, agent: User) -> None:
    response = call(client, "get", "/me", agent)
    assert response.status_code == 200
    assert response.json() == {
        "username": "alice",
        "role": "agent",
        "teams": ["Team A"],
        "languages": [],
        "topics": [],
        "available": True,
        "away_until": None,
        "receives_cases": True,
        "max_open_cases": None,
        "open_cases": 0,
        "last_assigned_at": None,
    }
    response = call(
        client,
        "post",
        "/me/availability",
        agent,
        {"available": False, "away_until": "2026-11-02T17:00:00Z"},
    )
    assert response.status_code == 200
    assert (response.json()["available"], response.json()["away_until"]) == (
        False,
        "2026-11-02T17:00:00Z",
    )


def test_agents_may_not_read_or_edit_others_profiles_or_routing(
    client: Client, agent: User, bea: User, team_a: Team
) -> None:
    before = snapshot()
    assert call(client, "get", "/people", agent).status_code == 403
    assert call(client, "put", "/people/bea", agent, {"languages": ["de"]}).status_code == 403
    assert call(client, "put", "/teams/Team A", agent, {"auto_assign": True}).status_code == 403
    assert snapshot() == before
    assert not TeamRouting.objects.exists()


def test_a_supervisor_edits_a_profile_and_a_routing(
    client: Client, supervisor: User, bea: User, team_a: Team
) -> None:
    response = call(
        client,
        "put",
        "/people/bea",
        supervisor,
        {"languages": ["DE", "en"], "topics": ["billing"], "max_open_cases": 6},
    )
    assert response.status_code == 200
    assert (response.json()["languages"], response.json()["max_open_cases"]) == (["de", "en"], 6)

    response = call(
        client,
        "put",
        "/teams/Team A",
        supervisor,
        {"strategy": "round_robin", "auto_assign": True, "intake": True},
    )
    assert response.json() == {
        "team": "Team A",
        "strategy": "round_robin",
        "auto_assign": True,
        "intake": True,
    }
    assert [p["username"] for p in call(client, "get", "/people", supervisor).json()] == [
        "bea",
        "sam",
    ]


def test_handover_through_the_api(
    client: Client, case: Conversation, agent: User, bea: User
) -> None:
    response = call(
        client,
        "post",
        f"/conversations/{case.pk}/handover",
        agent,
        {"to_user": "bea", "note": "Sent the label; check the tracking tomorrow"},
    )
    assert response.status_code == 200
    assert response.json() == {"conversation_id": case.pk, "assignee": "bea", "team": "Team A"}
    assert CaseEvent.objects.get(kind=EventKind.HANDOVER).reason == (
        "Sent the label; check the tracking tomorrow"
    )


def test_handover_of_someone_elses_case_is_refused_and_changes_nothing(
    client: Client, case: Conversation, bea: User
) -> None:
    before = snapshot()
    response = call(
        client,
        "post",
        f"/conversations/{case.pk}/handover",
        bea,
        {"to_user": "bea", "note": "mine now"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "the case is alice's; agents may hand over only their own cases"
    }
    assert snapshot() == before


def test_presence_through_the_api_and_an_outsider_gets_404(
    client: Client, case: Conversation, agent: User, bea: User, outsider: User
) -> None:
    call(client, "post", f"/conversations/{case.pk}/presence", bea, {"typing": True})
    response = call(client, "post", f"/conversations/{case.pk}/presence", agent, {})
    assert response.json() == {"others": [{"username": "bea", "since": NOW_JSON, "typing": True}]}

    response = call(client, "post", f"/conversations/{case.pk}/presence", outsider, {})
    assert response.status_code == 404
    assert Presence.objects.filter(user=outsider).count() == 0
    assert AgentProfile.objects.count() == 0
