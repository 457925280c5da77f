"""The role matrix: who may see and do what, on every view."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from careline.accounts.models import User
from careline.cases.models import CaseEvent, Conversation
from careline.inbox.models import Channel, Message
from careline.replies.models import OutboundMessage
from careline.web.tests.conftest import Cases, login

pytestmark = pytest.mark.django_db

ACTIONS = {
    "conversation-reply": {"text": "Hello", "visibility": "public"},
    "conversation-assign": {"assignee": ""},
    "conversation-status": {"status": "open", "reason": ""},
    "conversation-note": {"text": "a note"},
}


def snapshot(case: Conversation) -> tuple[object, ...]:
    """Everything an action could change, to show that a refused one changed nothing."""
    fresh = Conversation.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.assignee_id,
        fresh.message_count,
        CaseEvent.objects.count(),
        Message.objects.count(),
        OutboundMessage.objects.count(),
    )


@pytest.mark.parametrize("name", ["inbox", "channels"])
def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, name: str) -> None:
    url = reverse(name)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_anonymous_visitors_cannot_open_a_conversation(client: Client, cases: Cases) -> None:
    url = reverse("conversation", args=[cases.teamless.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/c/{cases.teamless.pk}/"


@pytest.mark.parametrize("name", list(ACTIONS))
def test_anonymous_visitors_cannot_act_on_a_case(client: Client, cases: Cases, name: str) -> None:
    before = snapshot(cases.teamless)
    url = reverse(name, args=[cases.teamless.pk])

    response = client.post(url, ACTIONS[name])

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"
    assert snapshot(cases.teamless) == before


def test_the_login_page_shows_a_form(client: Client) -> None:
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_logging_in_leads_to_the_inbox(client: Client, agent: User) -> None:
    response = client.post(reverse("login"), {"username": "alice", "password": "pw-alice"})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_is_refused(client: Client, agent: User) -> None:
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logging_out_takes_a_post(client: Client, agent: User) -> None:
    login(client, agent)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_the_header_shows_the_users_name_and_role(client: Client, supervisor: User) -> None:
    supervisor.first_name, supervisor.last_name = "Sam", "Stone"
    supervisor.save()

    response = login(client, supervisor).get(reverse("inbox"))

    assert b'<span class="whoami-name">Sam Stone</span>' in response.content
    assert b'<span class="role role-supervisor">Supervisor</span>' in response.content


def listed(client: Client) -> set[int]:
    response = client.get(reverse("inbox"))
    assert response.status_code == 200
    return {case.pk for case in response.context["page"]}


def test_an_agent_lists_their_teams_cases_and_cases_without_a_team(
    client: Client, agent: User, cases: Cases
) -> None:
    assert listed(login(client, agent)) == {cases.team_a.pk, cases.teamless.pk}


def test_an_agent_of_another_team_lists_their_teams_cases_and_teamless_ones(
    client: Client, outsider: User, cases: Cases
) -> None:
    assert listed(login(client, outsider)) == {cases.team_b.pk, cases.teamless.pk}


@pytest.mark.parametrize("persona", ["supervisor", "admin_user"])
def test_supervisors_and_admins_list_every_case(
    client: Client, cases: Cases, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)

    assert listed(login(client, user)) == {cases.team_a.pk, cases.teamless.pk, cases.team_b.pk}


@pytest.mark.parametrize(
    ("persona", "on_team_a", "on_teamless", "on_team_b"),
    [
        ("agent", 200, 200, 404),
        ("outsider", 404, 200, 200),
        ("supervisor", 200, 200, 200),
        ("admin_user", 200, 200, 200),
    ],
)
def test_who_may_open_which_conversation(
    client: Client,
    cases: Cases,
    request: pytest.FixtureRequest,
    persona: str,
    on_team_a: int,
    on_teamless: int,
    on_team_b: int,
) -> None:
    login(client, request.getfixturevalue(persona))

    codes = [
        client.get(reverse("conversation", args=[case.pk])).status_code
        for case in (cases.team_a, cases.teamless, cases.team_b)
    ]

    assert codes == [on_team_a, on_teamless, on_team_b]


def test_a_missing_conversation_is_not_found(client: Client, supervisor: User) -> None:
    response = login(client, supervisor).get(reverse("conversation", args=[999_999]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", list(ACTIONS))
def test_an_agent_of_another_team_cannot_act_on_a_case_and_nothing_changes(
    client: Client, outsider: User, cases: Cases, name: str
) -> None:
    before = snapshot(cases.team_a)

    response = login(client, outsider).post(reverse(name, args=[cases.team_a.pk]), ACTIONS[name])

    assert response.status_code == 404
    assert snapshot(cases.team_a) == before


@pytest.mark.parametrize("name", list(ACTIONS))
def test_actions_take_only_a_post(client: Client, agent: User, cases: Cases, name: str) -> None:
    response = login(client, agent).get(reverse(name, args=[cases.team_a.pk]))

    assert response.status_code == 405


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("agent", 403), ("outsider", 403), ("supervisor", 403), ("admin_user", 200)],
)
def test_only_admins_see_the_channel_settings(
    client: Client,
    request: pytest.FixtureRequest,
    persona: str,
    expected: int,
    generic_channel: Channel,
) -> None:
    response = login(client, request.getfixturevalue(persona)).get(reverse("channels"))

    assert response.status_code == expected
    heading = b"<h1>Channels</h1>" if expected == 200 else b"<h1>Not allowed</h1>"
    assert heading in response.content


def test_the_channel_list_names_credentials_but_never_shows_them(
    client: Client, admin_user: User, generic_channel: Channel
) -> None:
    response = login(client, admin_user).get(reverse("channels"))

    assert b"<strong>shop-webhook</strong>" in response.content
    assert b"callback_url, secret" in response.content
    assert b"/hooks/generic/shop-webhook" in response.content
    assert b"s3cret-webhook-key" not in response.content
    assert b"relay.example.test" not in response.content


def test_only_admins_see_the_channels_link(client: Client, agent: User, admin_user: User) -> None:
    link = b'href="/settings/channels/"'

    assert link not in login(client, agent).get(reverse("inbox")).content
    assert link in login(Client(), admin_user).get(reverse("inbox")).content
