"""Reading conversations: the envelope, paging, every filter, the detail with its history."""

from __future__ import annotations

from typing import Any, get_args

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from careline.accounts.models import User
from careline.api.paging import DEFAULT_LIMIT
from careline.api.schemas import Order
from careline.cases.models import Conversation
from careline.cases.services import assign_case, transition_case
from careline.cases.workflow import Status
from careline.inbox.models import Channel, Platform
from careline.inbox.selectors import ORDERINGS
from careline.ingestion.services import ingest_items
from conftest import item

from .support import NOW_JSON, get

pytestmark = pytest.mark.django_db


def ids(response: Any) -> list[int]:
    return [c["id"] for c in response.json()["items"]]


def cases_by_author(channel: Channel, *authors: str) -> dict[str, Conversation]:
    """One public post per author, a minute apart in the given order; one case each."""
    ingest_items(
        channel,
        [item(f"p-{a}", author=a, text=f"Post by {a}", minutes=i) for i, a in enumerate(authors)],
    )
    return {c.subject.removeprefix("Post by "): c for c in Conversation.objects.all()}


@pytest.fixture
def x_channel(db: None) -> Channel:
    return Channel.objects.create(name="shop-x", platform=Platform.X, external_id="shop")


def test_the_list_answers_count_and_items_with_every_field(
    settings: Any, generic_channel: Channel, team_a: Any, agent: User
) -> None:
    # Untriaged: the triage object is tested in careline/api/tests/test_triage.py.
    settings.CARELINE_TRIAGE_ON_INGEST = False
    ingest_items(generic_channel, [item("p1", text="My parcel is late")])
    Conversation.objects.update(team=team_a)
    case = Conversation.objects.get()
    client = Client()

    response = get(client, "/conversations", agent)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "count": 1,
        "items": [
            {
                "id": case.pk,
                "status": "new",
                "priority": "normal",
                "channel": "shop-webhook",
                "platform": "generic",
                "author": {"handle": "@u1", "name": "U1", "external_id": "u1"},
                "assignee": None,
                "team": "Team A",
                "subject": "My parcel is late",
                "message_count": 1,
                "created_at": "2026-11-02T09:00:00Z",
                "last_message_at": "2026-11-02T09:00:00Z",
                "new_at": NOW_JSON,
                "open_at": None,
                "pending_at": None,
                "escalated_at": None,
                "resolved_at": None,
                "closed_at": None,
                "triage": None,
                "sla": {
                    "policy": "Default normal",
                    "next_due_at": "2026-11-02T10:00:00Z",
                    "next_warn_at": "2026-11-02T09:48:00Z",
                    "breached_at": None,
                    "first_response_at": None,
                    "last_agent_reply_at": None,
                    "customer_waiting_since": "2026-11-02T09:00:00Z",
                    "no_reply_at": None,
                    "no_reply_reason": "",
                },
            }
        ],
    }


def test_limit_and_offset_select_a_window_and_count_counts_all(
    client: Client, generic_channel: Channel, supervisor: User
) -> None:
    cases = cases_by_author(generic_channel, "a", "b", "c", "d", "e")

    response = get(client, "/conversations", supervisor, limit=2, offset=1, order="oldest")

    assert response.json()["count"] == 5
    assert ids(response) == [cases["b"].pk, cases["c"].pk]


def test_an_offset_past_the_end_gives_no_items_but_the_full_count(
    client: Client, generic_channel: Channel, supervisor: User
) -> None:
    cases_by_author(generic_channel, "a", "b")

    response = get(client, "/conversations", supervisor, offset=2)

    assert response.json() == {"count": 2, "items": []}


def test_the_default_limit_is_50_and_200_may_be_asked_for(
    client: Client, generic_channel: Channel, supervisor: User
) -> None:
    cases_by_author(generic_channel, *[f"u{n}" for n in range(DEFAULT_LIMIT + 1)])

    default = get(client, "/conversations", supervisor).json()
    most = get(client, "/conversations", supervisor, limit=200).json()

    assert (default["count"], len(default["items"])) == (51, 50)
    assert (most["count"], len(most["items"])) == (51, 51)


@pytest.mark.parametrize(
    ("params", "loc", "msg"),
    [
        ({"limit": 0}, ["query", "limit"], "Input should be greater than or equal to 1"),
        ({"limit": 201}, ["query", "limit"], "Input should be less than or equal to 200"),
        ({"offset": -1}, ["query", "offset"], "Input should be greater than or equal to 0"),
        (
            {"limit": "ten"},
            ["query", "limit"],
            "Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            {"status": "lost"},
            ["query", "status"],
            "Input should be 'new', 'open', 'pending', 'escalated', 'resolved' or 'closed'",
        ),
        (
            {"order": "random"},
            ["query", "order"],
            "Input should be 'urgent', 'recent', 'oldest', 'created', 'priority' or 'severity'",
        ),
        (
            {"platform": "myspace"},
            ["query", "platform"],
            "Input should be 'generic', 'x', "
            "'facebook', 'instagram', 'messenger', 'mastodon' or 'bluesky'",
        ),
    ],
)
def test_an_invalid_query_parameter_is_a_422_that_names_it(
    client: Client,
    case: Conversation,
    agent: User,
    params: dict[str, Any],
    loc: list[str],
    msg: str,
) -> None:
    response = get(client, "/conversations", agent, **params)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["msg"]) == (loc, msg)


def test_the_order_choices_are_the_inbox_orderings() -> None:
    assert set(get_args(Order)) == set(ORDERINGS)


def test_status_filter_matches_one_status(
    client: Client, generic_channel: Channel, supervisor: User
) -> None:
    cases = cases_by_author(generic_channel, "a", "b", "c")
    transition_case(cases["b"], to=Status.PENDING, actor=supervisor)
    transition_case(cases["c"], to=Status.RESOLVED, actor=supervisor)

    pending = get(client, "/conversations", supervisor, status="pending")
    resolved = get(client, "/conversations", supervisor, status="resolved")

    assert ids(pending) == [cases["b"].pk]
    assert ids(resolved) == [cases["c"].pk]


def test_status_open_means_every_open_status_as_in_the_web_inbox(
    client: Client, generic_channel: Channel, supervisor: User
) -> None:
    cases = cases_by_author(generic_channel, "a", "b", "c", "d")
    transition_case(cases["b"], to=Status.PENDING, actor=supervisor)
    transition_case(cases["c"], to=Status.ESCALATED, actor=supervisor)
    transition_case(cases["d"], to=Status.CLOSED, actor=supervisor)

    response = get(client, "/conversations", supervisor, status="open", order="oldest")

    assert ids(response) == [cases["a"].pk, cases["b"].pk, cases["c"].pk]


def test_channel_and_platform_filters(
    client: Client, generic_channel: Channel, x_channel: Channel, supervisor: User
) -> None:
    ingest_items(generic_channel, [item("g1")])
    ingest_items(x_channel, [item("x1")])
    on_generic = Conversation.objects.get(channel=generic_channel).pk
    on_x = Conversation.objects.get(channel=x_channel).pk

    by_channel = get(client, "/conversations", supervisor, channel="shop-x")
    by_platform = get(client, "/conversations", supervisor, platform="generic")
    unknown_channel = get(client, "/conversations", supervisor, channel="nope")

    assert ids(by_channel) == [on_x]
    assert ids(by_platform) == [on_generic]
    assert unknown_channel.json() == {"count": 0, "items": []}


@pytest.mark.usefixtures("everyone")
def test_assignee_filter_takes_me_none_or_a_username(
    client: Client, generic_channel: Channel, agent: User, supervisor: User
) -> None:
    cases = cases_by_author(generic_channel, "a", "b", "c")
    assign_case(cases["a"], assignee=agent, actor=supervisor)
    assign_case(cases["b"], assignee=supervisor, actor=supervisor)

    mine = get(client, "/conversations", agent, assignee="me")
    nobodys = get(client, "/conversations", agent, assignee="none")
    sams = get(client, "/conversations", agent, assignee="sam")

    assert ids(mine) == [cases["a"].pk]
    assert ids(nobodys) == [cases["c"].pk]
    assert ids(sams) == [cases["b"].pk]


def test_q_finds_cases_with_a_message_containing_the_text(
    client: Client, generic_channel: Channel, supervisor: User
) -> None:
    ingest_items(
        generic_channel,
        [item("p1", author="a", text="Refund for ORDER 1234?"), item("p2", author="b")],
    )

    response = get(client, "/conversations", supervisor, q="order 1234")

    # Found by the original text; listed redacted (an order number is private data).
    assert [c["subject"] for c in response.json()["items"]] == ["Refund for ORDER [ORDER]?"]


def test_orderings(client: Client, generic_channel: Channel, supervisor: User) -> None:
    cases = cases_by_author(generic_channel, "a", "b", "c")
    Conversation.objects.filter(pk=cases["a"].pk).update(priority="high")
    Conversation.objects.filter(pk=cases["c"].pk).update(priority="low")
    a, b, c = cases["a"].pk, cases["b"].pk, cases["c"].pk

    def order(name: str) -> list[int]:
        return ids(get(client, "/conversations", supervisor, order=name))

    assert order("recent") == [c, b, a]
    assert order("oldest") == [a, b, c]
    assert order("created") == [c, b, a]
    assert order("priority") == [a, b, c]


def test_listing_costs_the_same_queries_for_one_case_or_many(
    client: Client, generic_channel: Channel, team_a: Any, supervisor: User
) -> None:
    cases_by_author(generic_channel, "a")
    Conversation.objects.update(team=team_a, assignee=supervisor)
    with CaptureQueriesContext(connection) as one:
        get(client, "/conversations", supervisor)
    ingest_items(generic_channel, [item(f"more{n}", author=f"m{n}") for n in range(4)])
    Conversation.objects.update(team=team_a, assignee=supervisor)

    with CaptureQueriesContext(connection) as five:
        response = get(client, "/conversations", supervisor)

    assert response.json()["count"] == 5
    assert len(five) == len(one)


def test_the_detail_carries_the_cases_history(
    client: Client, case: Conversation, agent: User, supervisor: User
) -> None:
    transition_case(case, to=Status.ESCALATED, actor=agent, reason="legal threat")
    assign_case(case, assignee=supervisor, actor=supervisor, reason="I take it")

    response = get(client, f"/conversations/{case.pk}", agent)

    body = response.json()
    assert (body["status"], body["assignee"], body["escalated_at"]) == (
        "escalated",
        "sam",
        NOW_JSON,
    )
    assert [(e["kind"], e["actor"], e["reason"], e["data"]) for e in body["events"]] == [
        ("created", None, "new public post", {"message": "p1", "channel": "shop-webhook"}),
        ("status_changed", "alice", "legal threat", {"from": "new", "to": "escalated"}),
        ("assigned", "sam", "I take it", {"from": None, "to": "sam"}),
    ]
    assert {e["created_at"] for e in body["events"]} == {NOW_JSON}


def test_a_subject_exposing_private_data_is_redacted_in_the_list_and_the_detail(
    client: Client, generic_channel: Channel, supervisor: User
) -> None:
    # The subject is the start of the first post: lists must not spread what triage hides.
    ingest_items(
        generic_channel, [item("p1", text="Charged twice on card 4111 1111 1111 1111, help")]
    )
    case = Conversation.objects.get()

    listed = get(client, "/conversations", supervisor).json()["items"][0]["subject"]
    detail = get(client, f"/conversations/{case.pk}", supervisor).json()["subject"]

    assert listed == detail == "Charged twice on card [CARD], help"
    assert case.subject.startswith("Charged twice on card 4111")  # stored text stays original
