"""Who may call what: the role matrix for every endpoint, and how tokens are checked."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from careline.accounts.models import User
from careline.accounts.services import issue_api_token, revoke_api_tokens
from careline.cases.models import Conversation
from careline.cases.workflow import Status

from .support import BASE, bearer, get, post, snapshot

pytestmark = pytest.mark.django_db

REPLY = {"text": "It is on its way.", "public": True}
# name: (method, path, body); {id} is the case of team A.
ENDPOINTS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "list conversations": ("get", "/conversations", None),
    "get conversation": ("get", "/conversations/{id}", None),
    "conversation messages": ("get", "/conversations/{id}/messages", None),
    "list messages": ("get", "/messages", None),
    "reply": ("post", "/conversations/{id}/replies", REPLY),
    "status": ("post", "/conversations/{id}/status", {"status": "pending", "reason": "waiting"}),
    "assignee": ("post", "/conversations/{id}/assignee", {"assignee": "alice", "reason": ""}),
}
UNAUTHORIZED = {"detail": "a valid API token is required: Authorization: Bearer <token>"}
NOT_FOUND = {"detail": "no such conversation"}


def call(client: Client, endpoint: str, case: Conversation, headers: dict[str, str]) -> Any:
    method, path, body = ENDPOINTS[endpoint]
    url = BASE + path.format(id=case.pk)
    if method == "get":
        return client.get(url, headers=headers)
    return client.post(url, body, content_type="application/json", headers=headers)


def revoked_token(user: User) -> dict[str, str]:
    headers = bearer(user)
    revoke_api_tokens(user)
    return headers


def inactive_users_token(user: User) -> dict[str, str]:
    headers = bearer(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    return headers


CREDENTIALS = {
    "no header": lambda user: {},
    "unknown token": lambda user: {"Authorization": "Bearer cl_not-a-real-token"},
    "empty bearer": lambda user: {"Authorization": "Bearer "},
    "revoked token": revoked_token,
    "inactive user's token": inactive_users_token,
    "token without the Bearer scheme": lambda user: {"Authorization": issue_api_token(user)},
    "basic auth": lambda user: {"Authorization": "Basic YWxpY2U6cHctYWxpY2U="},
}


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_endpoint_answers_401_without_a_valid_token_and_changes_nothing(
    client: Client, case: Conversation, agent: User, endpoint: str, credential: str
) -> None:
    headers = CREDENTIALS[credential](agent)
    before = snapshot()

    response = call(client, endpoint, case, headers)

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"] == 'Bearer realm="careline"'
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_web_session_is_not_an_api_credential(
    client: Client, case: Conversation, agent: User, endpoint: str
) -> None:
    client.force_login(agent)
    before = snapshot()

    response = call(client, endpoint, case, {})

    assert response.status_code == 401
    assert snapshot() == before


def test_a_token_needs_no_csrf_token(case: Conversation, agent: User) -> None:
    client = Client(enforce_csrf_checks=True)

    response = call(client, "status", case, bearer(agent))

    assert response.status_code == 200


# Expected status per persona. Agents: their team's and team-less cases, may take a case but
# not give it to someone else, may not close. Outsider: an agent of team B.
#                         agent outsider supervisor admin
ROLE_MATRIX: dict[str, tuple[int, int, int, int]] = {
    "list conversations": (200, 200, 200, 200),
    "get conversation": (200, 404, 200, 200),
    "conversation messages": (200, 404, 200, 200),
    "list messages": (200, 200, 200, 200),
    "reply": (201, 404, 201, 201),
    "status pending": (200, 404, 200, 200),
    "status closed": (400, 404, 200, 200),
    "assign to self": (200, 404, 200, 200),
    "assign to someone else": (400, 404, 200, 200),
}
PERSONAS = ("agent", "outsider", "supervisor", "admin_user")
DENIAL_DETAIL = {
    ("status closed", "agent"): "only a supervisor or admin may set a case to closed",
    ("assign to someone else", "agent"): "agents may assign a case only to themselves",
}


def matrix_request(action: str, case: Conversation, actor: User) -> tuple[str, str, Any]:
    if action == "status pending":
        return "post", f"/conversations/{case.pk}/status", {"status": "pending"}
    if action == "status closed":
        return "post", f"/conversations/{case.pk}/status", {"status": "closed"}
    if action == "assign to self":
        return "post", f"/conversations/{case.pk}/assignee", {"assignee": actor.username}
    if action == "assign to someone else":
        other = "sam" if actor.username == "alice" else "alice"
        return "post", f"/conversations/{case.pk}/assignee", {"assignee": other}
    method, path, body = ENDPOINTS[action]
    return method, path.format(id=case.pk), body


@pytest.mark.usefixtures("everyone")
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ROLE_MATRIX)
def test_role_matrix(
    request: pytest.FixtureRequest, client: Client, case: Conversation, action: str, persona: str
) -> None:
    actor: User = request.getfixturevalue(persona)
    expected = ROLE_MATRIX[action][PERSONAS.index(persona)]
    method, path, body = matrix_request(action, case, actor)
    before = snapshot()

    response = get(client, path, actor) if method == "get" else post(client, path, actor, body)

    assert response.status_code == expected
    if expected == 404:
        assert response.json() == NOT_FOUND
    if expected == 400:
        assert response.json() == {"detail": DENIAL_DETAIL[action, persona]}
    if expected >= 400:
        assert snapshot() == before


@pytest.mark.usefixtures("everyone")
@pytest.mark.parametrize("persona", PERSONAS)
def test_list_endpoints_show_each_persona_only_the_cases_they_may_see(
    request: pytest.FixtureRequest, client: Client, case: Conversation, persona: str
) -> None:
    actor: User = request.getfixturevalue(persona)
    sees_team_a = persona != "outsider"

    conversations = get(client, "/conversations", actor).json()
    messages = get(client, "/messages", actor).json()

    assert [c["id"] for c in conversations["items"]] == ([case.pk] if sees_team_a else [])
    assert conversations["count"] == (1 if sees_team_a else 0)
    assert [m["external_id"] for m in messages["items"]] == (["p1"] if sees_team_a else [])
    assert messages["count"] == (1 if sees_team_a else 0)


def test_an_agent_of_another_team_sees_a_case_that_has_no_team(
    client: Client, case: Conversation, outsider: User
) -> None:
    Conversation.objects.filter(pk=case.pk).update(team=None)

    listed = get(client, "/conversations", outsider).json()
    detail = get(client, f"/conversations/{case.pk}", outsider)

    assert [c["id"] for c in listed["items"]] == [case.pk]
    assert detail.status_code == 200
    assert detail.json()["team"] is None


@pytest.mark.parametrize(
    "path",
    ["/conversations/{id}", "/conversations/{id}/messages"],
)
def test_another_teams_case_reads_exactly_like_a_missing_one(
    client: Client, case: Conversation, outsider: User, path: str
) -> None:
    hidden = get(client, path.format(id=case.pk), outsider)
    missing = get(client, path.format(id=case.pk + 1000), outsider)

    assert (hidden.status_code, hidden.json()) == (404, NOT_FOUND)
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)


def test_an_outsider_cannot_act_on_a_closed_case_of_another_team_either(
    client: Client, case: Conversation, outsider: User
) -> None:
    # The 404 comes before any check of the request, so it reveals nothing about the case.
    Conversation.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    before = snapshot()

    response = post(client, f"/conversations/{case.pk}/status", outsider, {"status": "open"})

    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert snapshot() == before
