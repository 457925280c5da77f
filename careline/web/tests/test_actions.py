"""The conversation page and its actions: reply, assign, status, note."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
import respx
from django.test import Client
from django.urls import reverse

from careline.accounts.models import Team, User
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.inbox.models import Channel, Direction, Message
from careline.ingestion.services import ingest_items
from careline.replies.models import OutboundMessage
from careline.web.tests.conftest import Cases, login
from conftest import CALLBACK_URL, item

pytestmark = pytest.mark.django_db

CaptureOnCommit = Callable[..., AbstractContextManager[Any]]


@pytest.fixture
def deliveries(django_capture_on_commit_callbacks: CaptureOnCommit) -> CaptureOnCommit:
    """Run what a request queues on commit (the delivery task) before the test looks."""
    return django_capture_on_commit_callbacks


def kinds(case: Conversation) -> list[str]:
    return list(case.events.order_by("created_at", "id").values_list("kind", flat=True))


def flash(html: str) -> list[str]:
    return re.findall(r'<li class="flash-item flash-\w+">(.*?)</li>', html)


# --- the page ---------------------------------------------------------------------------------


def test_the_page_shows_the_thread_the_customer_and_the_record(
    client: Client, agent: User, generic_channel: Channel
) -> None:
    ingest_items(generic_channel, [item("p1", text="My parcel is late")])
    ingest_items(generic_channel, [item("d1", text="Order 1234", public=False, minutes=5)])
    case = Conversation.objects.get()

    html = login(client, agent).get(reverse("conversation", args=[case.pk])).content.decode()

    assert '<h1 class="case-title">My parcel is late</h1>' in html
    texts = re.findall(r'<div class="msg-text">(.*?)</div>', html)
    assert texts == ["My parcel is late", "Order 1234"]
    assert html.count('class="msg msg-in"') == 2
    assert '<span class="tag tag-private">Private</span>' in html
    assert "id p1" in html
    assert "id d1" in html
    assert "<dt>Handle</dt><dd>@u1</dd>" in html
    assert "<dt>Name</dt><dd>U1</dd>" in html
    assert '<dt>Platform id</dt><dd class="mono">u1</dd>' in html
    assert '<p class="customer-name">U1</p>' in html
    assert '<dt>Other cases</dt><dd data-testid="other-cases-count">0</dd>' in html
    record = re.findall(r'<tr class="event event-(\w+)">', html)
    assert record == ["created", "message_received"]
    assert "direct message from a person with an open case" in html


def test_the_customer_panel_counts_only_the_other_cases_the_user_may_see(
    client: Client, agent: User, supervisor: User, generic_channel: Channel, team_b: Team
) -> None:
    ingest_items(generic_channel, [item("p1"), item("p2", minutes=1), item("p3", minutes=2)])
    first, _, third = Conversation.objects.order_by("id")
    Conversation.objects.filter(pk=third.pk).update(team=team_b)
    count = re.compile(r'data-testid="other-cases-count">(\d+)<')

    as_agent = login(client, agent).get(reverse("conversation", args=[first.pk]))
    as_supervisor = login(Client(), supervisor).get(reverse("conversation", args=[first.pk]))

    assert count.findall(as_agent.content.decode()) == ["1"]
    assert count.findall(as_supervisor.content.decode()) == ["2"]


def test_an_htmx_request_for_the_page_gets_the_main_section(
    client: Client, agent: User, cases: Cases
) -> None:
    response = login(client, agent).get(
        reverse("conversation", args=[cases.team_a.pk]), headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="case" class="case">')
    assert "<html" not in html


# --- reply ------------------------------------------------------------------------------------


def test_a_reply_is_stored_delivered_and_recorded(
    client: Client, agent: User, cases: Cases, deliveries: CaptureOnCommit
) -> None:
    case = cases.team_a
    with respx.mock(assert_all_called=True) as platform, deliveries(execute=True):
        route = platform.post(CALLBACK_URL).respond(201, json={"id": "ext-1"})

        response = login(client, agent).post(
            reverse("conversation-reply", args=[case.pk]),
            {"text": "  Sorry! It ships today.  ", "visibility": "public"},
        )

    assert response.status_code == 302
    assert response["Location"] == f"/c/{case.pk}/"
    reply = Message.objects.get(direction=Direction.OUTBOUND)
    assert (reply.text, reply.visibility, reply.external_id, reply.sent_by) == (
        "Sorry! It ships today.",
        "public",
        "ext-1",
        agent,
    )
    assert (reply.reply_to_external_id, reply.outbox.status) == ("pa", "sent")
    sent = json.loads(route.calls.last.request.content)
    assert (sent["text"], sent["public"], sent["in_reply_to"]) == (
        "Sorry! It ships today.",
        True,
        "pa",
    )
    assert kinds(case) == ["created", "reply_queued", "status_changed", "reply_sent"]
    case.refresh_from_db()
    assert (case.status, case.message_count) == ("open", 2)

    page = client.get(response["Location"]).content.decode()
    assert flash(page) == ["Reply queued for delivery."]
    assert re.findall(r'<div class="msg-text">(.*?)</div>', page)[-1] == "Sorry! It ships today."
    assert '<article class="msg msg-out"' in page
    assert '<span class="delivery delivery-sent" data-testid="delivery-status">Sent</span>' in page
    assert "id ext-1" in page


def test_a_failed_delivery_shows_its_state_and_error(
    client: Client, agent: User, cases: Cases, deliveries: CaptureOnCommit
) -> None:
    with respx.mock(assert_all_called=True) as platform, deliveries(execute=True):
        platform.post(CALLBACK_URL).respond(503, text="down for maintenance")

        login(client, agent).post(
            reverse("conversation-reply", args=[cases.team_a.pk]),
            {"text": "On it", "visibility": "private"},
        )

    html = client.get(reverse("conversation", args=[cases.team_a.pk])).content.decode()
    assert OutboundMessage.objects.get().status == "retrying"
    assert 'data-testid="delivery-status">Waiting to retry</span>' in html
    assert "callback answered HTTP 503: down for maintenance" in html


def test_an_htmx_reply_gets_the_updated_main_section(
    client: Client, agent: User, cases: Cases, deliveries: CaptureOnCommit
) -> None:
    with respx.mock(assert_all_called=True) as platform, deliveries(execute=True):
        platform.post(CALLBACK_URL).respond(201, json={"id": "ext-1"})

        response = login(client, agent).post(
            reverse("conversation-reply", args=[cases.team_a.pk]),
            {"text": "Thanks for waiting", "visibility": "public"},
            headers={"HX-Request": "true"},
        )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="case" class="case">')
    assert flash(html) == ["Reply queued for delivery."]
    assert '<div class="msg-text">Thanks for waiting</div>' in html
    assert 'data-testid="case-status">Open</span>' in html


def test_the_reply_form_defaults_to_public_for_a_public_case(
    client: Client, agent: User, cases: Cases
) -> None:
    html = login(client, agent).get(reverse("conversation", args=[cases.team_a.pk])).content
    checked = re.findall(rb'<input type="radio" name="visibility" value="(\w+)"[^>]*checked', html)

    assert checked == [b"public"]


def test_the_reply_form_defaults_to_private_for_a_private_case(
    client: Client, agent: User, generic_channel: Channel
) -> None:
    ingest_items(generic_channel, [item("d1", public=False)])
    case = Conversation.objects.get()

    html = login(client, agent).get(reverse("conversation", args=[case.pk])).content
    checked = re.findall(rb'<input type="radio" name="visibility" value="(\w+)"[^>]*checked', html)

    assert checked == [b"private"]


def test_a_public_reply_to_a_private_only_case_is_refused(
    client: Client, agent: User, generic_channel: Channel
) -> None:
    ingest_items(generic_channel, [item("d1", public=False)])
    case = Conversation.objects.get()

    response = login(client, agent).post(
        reverse("conversation-reply", args=[case.pk]), {"text": "Hi", "visibility": "public"}
    )

    assert response.status_code == 400
    assert flash(response.content.decode()) == ["This case has no public post to answer in public."]
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 0
    assert kinds(case) == ["created"]


def test_an_empty_reply_is_refused_and_the_form_says_why(
    client: Client, agent: User, cases: Cases
) -> None:
    response = login(client, agent).post(
        reverse("conversation-reply", args=[cases.team_a.pk]),
        {"text": "   ", "visibility": "public"},
    )

    assert response.status_code == 400
    assert b'<ul class="errorlist" id="reply-text_error"><li>This field is required.</li></ul>' in (
        response.content
    )
    assert OutboundMessage.objects.count() == 0


def test_a_refused_reply_keeps_what_was_typed(client: Client, agent: User, cases: Cases) -> None:
    Conversation.objects.filter(pk=cases.team_a.pk).update(status="closed")

    response = login(client, agent).post(
        reverse("conversation-reply", args=[cases.team_a.pk]),
        {"text": "Too late?", "visibility": "public"},
    )

    assert flash(response.content.decode()) == ["The case is closed; replies are closed."]
    assert OutboundMessage.objects.count() == 0


# --- assign -----------------------------------------------------------------------------------


def test_an_agent_can_take_a_case(client: Client, agent: User, cases: Cases) -> None:
    response = login(client, agent).post(
        reverse("conversation-assign", args=[cases.team_a.pk]), {"assignee": "alice"}, follow=True
    )

    cases.team_a.refresh_from_db()
    assert cases.team_a.assignee == agent
    event = cases.team_a.events.get(kind=EventKind.ASSIGNED)
    assert (event.actor, event.data) == (agent, {"from": None, "to": "alice"})
    assert flash(response.content.decode()) == ["Case assigned to alice."]


def test_an_agent_cannot_assign_a_case_to_someone_else(
    client: Client, agent: User, supervisor: User, cases: Cases
) -> None:
    response = login(client, agent).post(
        reverse("conversation-assign", args=[cases.team_a.pk]), {"assignee": "sam"}
    )

    assert response.status_code == 400
    assert flash(response.content.decode()) == ["Agents may assign a case only to themselves."]
    assert Conversation.objects.get(pk=cases.team_a.pk).assignee is None
    assert kinds(cases.team_a) == ["created"]


def test_an_agent_is_offered_only_themselves_or_nobody(
    client: Client, agent: User, supervisor: User, cases: Cases
) -> None:
    html = login(client, agent).get(reverse("conversation", args=[cases.team_a.pk])).content
    select = re.search(rb'<select name="assignee".*?</select>', html, re.S)

    assert select is not None
    assert re.findall(rb'<option value="(\w*)"', select[0]) == [b"alice", b""]


def test_a_supervisor_is_offered_every_active_user(
    client: Client, agent: User, supervisor: User, admin_user: User, outsider: User, cases: Cases
) -> None:
    User.objects.filter(pk=outsider.pk).update(is_active=False)

    html = login(client, supervisor).get(reverse("conversation", args=[cases.team_a.pk])).content
    select = re.search(rb'<select name="assignee".*?</select>', html, re.S)

    assert select is not None
    assert re.findall(rb'<option value="(\w*)"', select[0]) == [b"", b"ada", b"alice", b"sam"]


def test_a_supervisor_can_assign_an_agent(
    client: Client, agent: User, supervisor: User, cases: Cases
) -> None:
    login(client, supervisor).post(
        reverse("conversation-assign", args=[cases.team_a.pk]), {"assignee": "alice"}
    )

    assert Conversation.objects.get(pk=cases.team_a.pk).assignee == agent


def test_assigning_an_unknown_user_is_refused(
    client: Client, supervisor: User, cases: Cases
) -> None:
    response = login(client, supervisor).post(
        reverse("conversation-assign", args=[cases.team_a.pk]), {"assignee": "ghost"}
    )

    assert response.status_code == 400
    assert b"There is no user named ghost." in response.content
    assert kinds(cases.team_a) == ["created"]


# --- status -----------------------------------------------------------------------------------


def test_an_agent_cannot_close_a_case(client: Client, agent: User, cases: Cases) -> None:
    response = login(client, agent).post(
        reverse("conversation-status", args=[cases.team_a.pk]), {"status": "closed"}
    )

    assert response.status_code == 400
    assert flash(response.content.decode()) == [
        "Only a supervisor or admin may set a case to closed."
    ]
    assert Conversation.objects.get(pk=cases.team_a.pk).status == "new"
    assert kinds(cases.team_a) == ["created"]


def test_a_supervisor_can_close_a_case(client: Client, supervisor: User, cases: Cases) -> None:
    response = login(client, supervisor).post(
        reverse("conversation-status", args=[cases.team_a.pk]),
        {"status": "closed", "reason": "spam"},
        follow=True,
    )

    case = Conversation.objects.get(pk=cases.team_a.pk)
    assert case.status == "closed"
    event = case.events.get(kind=EventKind.STATUS_CHANGED)
    assert (event.actor, event.reason, event.data) == (
        supervisor,
        "spam",
        {"from": "new", "to": "closed"},
    )
    assert flash(response.content.decode()) == ["Status set to closed."]


def test_the_status_choices_are_the_moves_the_workflow_allows(
    client: Client, agent: User, supervisor: User, cases: Cases
) -> None:
    url = reverse("conversation", args=[cases.team_a.pk])
    options = re.compile(rb'<select name="status".*?</select>', re.S)

    as_agent = options.search(login(client, agent).get(url).content)
    as_supervisor = options.search(login(Client(), supervisor).get(url).content)

    assert as_agent is not None
    assert as_supervisor is not None
    assert re.findall(rb'value="(\w+)"', as_agent[0]) == [
        b"open",
        b"pending",
        b"escalated",
        b"resolved",
    ]
    assert re.findall(rb'value="(\w+)"', as_supervisor[0]) == [
        b"open",
        b"pending",
        b"escalated",
        b"resolved",
        b"closed",
    ]


def test_a_move_the_workflow_forbids_is_refused(client: Client, agent: User, cases: Cases) -> None:
    Conversation.objects.filter(pk=cases.team_a.pk).update(status="resolved")

    response = login(client, agent).post(
        reverse("conversation-status", args=[cases.team_a.pk]), {"status": "pending"}
    )

    assert flash(response.content.decode()) == ["A resolved case cannot become pending."]
    assert Conversation.objects.get(pk=cases.team_a.pk).status == "resolved"


def test_a_closed_case_offers_no_status_change_and_no_reply(
    client: Client, supervisor: User, cases: Cases
) -> None:
    Conversation.objects.filter(pk=cases.team_a.pk).update(status="closed")

    html = login(client, supervisor).get(reverse("conversation", args=[cases.team_a.pk])).content

    assert b'<select name="status"' not in html
    assert b"A closed case cannot change status." in html
    assert b"This case is closed; it takes no more replies." in html
    assert b'name="visibility"' not in html


# --- note -------------------------------------------------------------------------------------


def test_a_note_is_recorded_and_shown(client: Client, agent: User, cases: Cases) -> None:
    response = login(client, agent).post(
        reverse("conversation-note", args=[cases.team_a.pk]),
        {"text": "Called the courier.\nParcel is in Leeds."},
        follow=True,
    )

    note = CaseEvent.objects.get(kind=EventKind.NOTE)
    assert (note.actor, note.reason) == (agent, "Called the courier.\nParcel is in Leeds.")
    html = response.content.decode()
    assert flash(html) == ["Note added."]
    assert '<td class="wrap">Called the courier.\nParcel is in Leeds.</td>' in html


def test_an_empty_note_is_refused(client: Client, agent: User, cases: Cases) -> None:
    response = login(client, agent).post(
        reverse("conversation-note", args=[cases.team_a.pk]), {"text": "  "}
    )

    assert response.status_code == 400
    assert kinds(cases.team_a) == ["created"]
