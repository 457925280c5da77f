from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from careline.accounts.models import Role, Team, User
from careline.assignment.models import AgentProfile, Presence, TeamRouting
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.inbox.models import Channel
from careline.replies.services import queue_reply
from conftest import make_user

from .support import NOW, kinds, new_case, routing, snapshot

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def bea(team_a: Team) -> User:
    user = make_user("bea", Role.AGENT, team_a)
    user.first_name = "Bea"
    user.save()
    return user


@pytest.fixture
def case(generic_channel: Channel, team_a: Team, agent: User) -> Conversation:
    """A case of team A, assigned to alice."""
    case = new_case(generic_channel, "p1", team=team_a)
    Conversation.objects.filter(pk=case.pk).update(assignee=agent)
    case.refresh_from_db()
    return case


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def heartbeat(client: Client, case: Conversation, **data: str) -> Any:
    return client.post(reverse("conversation-presence", args=[case.pk]), data)


def page(client: Client, case: Conversation) -> str:
    response = client.get(reverse("conversation", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


# -- collision warning --------------------------------------------------------------------------


def test_a_second_agent_sees_who_else_is_viewing_until_it_goes_stale(
    case: Conversation, agent: User, bea: User, clock: Any
) -> None:
    assert heartbeat(client_for(bea), case).status_code == 200
    clock.shift(10)

    html = page(client_for(agent), case)
    assert "Bea is also viewing this case (since" in html
    assert f'datetime="{NOW.isoformat()}"' in html

    clock.shift(36)  # bea's last heartbeat is 46 s old: stale
    response = heartbeat(client_for(agent), case)
    assert "also viewing" not in response.content.decode()
    assert Presence.objects.get(user=agent).since == NOW + timedelta(seconds=46)


def test_nobody_is_warned_about_themselves(case: Conversation, agent: User) -> None:
    heartbeat(client_for(agent), case)
    assert "also viewing" not in heartbeat(client_for(agent), case).content.decode()


def test_typing_in_the_reply_box_is_a_stronger_warning(
    case: Conversation, agent: User, bea: User
) -> None:
    heartbeat(client_for(bea), case, typing="1")
    body = heartbeat(client_for(agent), case).content.decode()
    assert "<strong>Bea is typing a reply</strong>" in body

    heartbeat(client_for(bea), case, typing="")
    body = heartbeat(client_for(agent), case).content.decode()
    assert "typing" not in body
    assert "Bea is also viewing this case" in body


def test_a_reply_someone_else_sent_since_the_page_opened_is_warned_about(
    case: Conversation, agent: User, bea: User, clock: Any
) -> None:
    opened = NOW.isoformat()
    clock.shift(30)
    queue_reply(case, text="We are on it", public=True, actor=bea)
    clock.shift(5)

    body = heartbeat(client_for(agent), case, opened=opened).content.decode()
    assert "Bea sent a reply at" in body
    assert "after you opened this case" in body

    later = (NOW + timedelta(seconds=31)).isoformat()  # opened after the reply
    assert "sent a reply" not in heartbeat(client_for(agent), case, opened=later).content.decode()
    # One's own replies are no surprise.
    assert "sent a reply" not in heartbeat(client_for(bea), case, opened=opened).content.decode()


def test_names_in_warnings_are_rendered_inert(case: Conversation, agent: User, bea: User) -> None:
    bea.first_name = HOSTILE
    bea.save()
    heartbeat(client_for(bea), case)
    body = heartbeat(client_for(agent), case).content.decode()
    assert HOSTILE not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; is also viewing" in body


def test_the_page_uses_no_inline_script(case: Conversation, agent: User) -> None:
    html = page(client_for(agent), case)
    assert 'src="/static/careline/assignment.js"' in html
    assert 'hx-trigger="load, every 15s, careline-typing"' in html
    assert "<script>" not in html


def test_an_outsider_cannot_send_heartbeats_for_another_teams_case(
    case: Conversation, outsider: User
) -> None:
    assert heartbeat(client_for(outsider), case).status_code == 404
    assert not Presence.objects.exists()


# -- handover ---------------------------------------------------------------------------------


def handover_post(client: Client, case: Conversation, to: str, note: str) -> Any:
    return client.post(reverse("conversation-handover", args=[case.pk]), {"to": to, "note": note})


def test_an_agent_hands_over_their_case_and_the_new_owner_sees_the_note(
    case: Conversation, agent: User, bea: User
) -> None:
    note = f"Refund approved, label sent. Next: confirm arrival. {HOSTILE}"
    response = handover_post(client_for(agent), case, "user:bea", note)

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee == bea
    assert kinds(case)[-2:] == [EventKind.HANDOVER, EventKind.ASSIGNED]
    event = CaseEvent.objects.get(conversation=case, kind=EventKind.HANDOVER)
    assert (event.actor, event.reason) == (agent, note)
    assert event.data == {"from": "alice", "to_user": "bea", "to_team": None}

    html = page(client_for(bea), case)
    assert "Handed over to you" in html
    assert "Refund approved, label sent. Next: confirm arrival. &lt;script&gt;" in html
    assert HOSTILE not in html


def test_an_agent_cannot_hand_over_someone_elses_case(
    case: Conversation, bea: User, supervisor: User
) -> None:
    before = snapshot()
    response = handover_post(client_for(bea), case, "user:bea", "taking it")
    assert response.status_code == 400
    assert "The case is alice&#x27;s; agents may hand over only their own cases." in (
        response.content.decode()
    )
    assert snapshot() == before


def test_a_handover_needs_a_note(case: Conversation, agent: User, bea: User) -> None:
    before = snapshot()
    response = handover_post(client_for(agent), case, "user:bea", "   ")
    assert response.status_code == 400
    assert snapshot() == before


def test_back_to_a_team_that_assigns_automatically_goes_to_someone_else(
    case: Conversation, agent: User, bea: User, team_a: Team
) -> None:
    routing(team_a, auto_assign=True)
    response = handover_post(client_for(agent), case, f"team:{team_a.pk}", "Off shift; all yours")

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee == bea
    assert kinds(case)[-3:] == [EventKind.HANDOVER, EventKind.ASSIGNED, EventKind.ASSIGNED]
    auto = CaseEvent.objects.filter(conversation=case, kind=EventKind.ASSIGNED).last()
    assert auto is not None
    assert auto.actor is None
    assert auto.reason.startswith("Assigned automatically (handed over to the team): bea (#")


def test_a_supervisor_hands_over_any_case(
    case: Conversation, supervisor: User, outsider: User, team_b: Team
) -> None:
    response = handover_post(client_for(supervisor), case, f"team:{team_b.pk}", "Billing's call")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.assignee, case.team) == (None, team_b)
    assert kinds(case)[-3:] == [EventKind.HANDOVER, EventKind.TEAM_ASSIGNED, EventKind.ASSIGNED]


def test_the_hand_over_form_is_offered_only_to_who_may_use_it(
    case: Conversation, agent: User, bea: User
) -> None:
    assert "Hand over</summary>" in page(client_for(agent), case)
    assert "Hand over</summary>" not in page(client_for(bea), case)


# -- availability and settings ----------------------------------------------------------------


def test_an_agent_marks_themselves_away_and_back(agent: User, case: Conversation) -> None:
    client = client_for(agent)
    response = client.post(
        reverse("assignment-availability"), {"available": "0", "next": "https://evil.test/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("assignment-settings")
    assert AgentProfile.objects.get(user=agent).is_available(NOW) is False
    assert "You are marked away" in page(client, case)

    back = reverse("conversation", args=[case.pk])
    response = client.post(reverse("assignment-availability"), {"available": "1", "next": back})
    assert response["Location"] == back
    assert AgentProfile.objects.get(user=agent).is_available(NOW) is True


def test_agents_see_their_availability_but_not_the_supervisor_settings(agent: User) -> None:
    client = client_for(agent)
    html = client.get(reverse("assignment-settings")).content.decode()
    assert "You are <strong>available</strong>" in html
    assert "People</h2>" not in html
    before = snapshot()
    response = client.post(
        reverse("assignment-profile", args=[agent.pk]),
        {"languages": "en", "topics": "", "available": "on", "receives_cases": "on"},
    )
    assert response.status_code == 403
    assert snapshot() == before
    assert not AgentProfile.objects.exists()


def test_a_supervisor_edits_skills_and_team_routing(
    supervisor: User, agent: User, team_a: Team
) -> None:
    client = client_for(supervisor)
    assert "People</h2>" in client.get(reverse("assignment-settings")).content.decode()

    response = client.post(
        reverse("assignment-profile", args=[agent.pk]),
        {
            "languages": "de, EN",
            "topics": "billing delivery",
            "max_open_cases": "4",
            "available": "on",
            "receives_cases": "on",
        },
    )
    assert response.status_code == 302
    profile = AgentProfile.objects.get(user=agent)
    assert (profile.languages, profile.topics, profile.max_open_cases) == (
        ["de", "en"],
        ["billing", "delivery"],
        4,
    )

    response = client.post(
        reverse("assignment-routing", args=[team_a.pk]),
        {"strategy": "round_robin", "auto_assign": "on", "intake": "on"},
    )
    assert response.status_code == 302
    routing = TeamRouting.objects.get(team=team_a)
    assert (routing.strategy, routing.auto_assign, routing.intake, routing.updated_by) == (
        "round_robin",
        True,
        True,
        supervisor,
    )


def test_a_bad_case_limit_is_shown_and_changes_nothing(supervisor: User, agent: User) -> None:
    response = client_for(supervisor).post(
        reverse("assignment-profile", args=[agent.pk]),
        {"languages": "", "topics": "", "max_open_cases": "0", "receives_cases": "on"},
    )
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    assert not AgentProfile.objects.exists()
