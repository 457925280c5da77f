"""The inbox list: filters, paging, ordering and the htmx fragment."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from careline.accounts.models import User
from careline.assessments.services import assess_messages
from careline.cases.models import Conversation
from careline.inbox.models import Channel, Message, Platform
from careline.ingestion.services import ingest_items
from careline.web.tests.conftest import login
from conftest import T0, item

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand_x(db: None) -> Channel:
    return Channel.objects.create(name="brand-x", platform=Platform.X, external_id="brand")


@pytest.fixture
def mixed(
    generic_channel: Channel, brand_x: Channel, agent: User, supervisor: User
) -> dict[str, int]:
    """Three cases that differ in channel, platform, status, assignee and text."""
    ingest_items(generic_channel, [item("order", author="u1", text="Where is my order?")])
    ingest_items(generic_channel, [item("refund", author="u2", text="Refund please", minutes=1)])
    ingest_items(brand_x, [item("zip", author="u3", text="Broken zipper on my bag", minutes=2)])
    ids = {c.subject.split()[0].lower(): c.pk for c in Conversation.objects.all()}
    Conversation.objects.filter(pk=ids["refund"]).update(status="pending", assignee=agent)
    Conversation.objects.filter(pk=ids["broken"]).update(status="resolved", assignee=supervisor)
    return {"order": ids["where"], "refund": ids["refund"], "zip": ids["broken"]}


def listed(client: Client, **params: str) -> list[int]:
    response = client.get(reverse("inbox"), params)
    assert response.status_code == 200
    return [case.pk for case in response.context["page"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["zip", "refund", "order"]),
        ({"status": "pending"}, ["refund"]),
        ({"status": "new"}, ["order"]),
        ({"status": "open"}, ["refund", "order"]),
        ({"status": "resolved"}, ["zip"]),
        ({"channel": "brand-x"}, ["zip"]),
        ({"channel": "shop-webhook"}, ["refund", "order"]),
        ({"platform": "x"}, ["zip"]),
        ({"platform": "generic"}, ["refund", "order"]),
        ({"assignee": "me"}, ["refund"]),
        ({"assignee": "none"}, ["order"]),
        ({"assignee": "sam"}, ["zip"]),
        ({"q": "zipper"}, ["zip"]),
        ({"q": "REFUND"}, ["refund"]),
        ({"q": "nothing like this"}, []),
        ({"status": "pending", "assignee": "me", "q": "refund"}, ["refund"]),
        ({"status": "open", "platform": "x"}, []),
    ],
)
def test_each_filter_narrows_the_list(
    client: Client, agent: User, mixed: dict[str, int], params: dict[str, str], expected: list[str]
) -> None:
    assert listed(login(client, agent), order="recent", **params) == [
        mixed[name] for name in expected
    ]


@pytest.mark.parametrize(
    "params",
    [{"status": "bogus"}, {"channel": "no-such"}, {"assignee": "ghost"}, {"order": "sideways"}],
)
def test_an_unknown_filter_value_is_ignored(
    client: Client, agent: User, mixed: dict[str, int], params: dict[str, str]
) -> None:
    # The default order, most urgent first: the earliest SLA due time first.
    assert listed(login(client, agent), **params) == [mixed["order"], mixed["refund"], mixed["zip"]]


def test_the_filter_form_keeps_the_chosen_values(
    client: Client, agent: User, mixed: dict[str, int]
) -> None:
    response = login(client, agent).get(reverse("inbox"), {"status": "pending", "q": "refund"})

    html = response.content.decode()
    assert '<option value="pending" selected>Pending</option>' in html
    assert re.search(r'<input type="search" name="q" value="refund"', html)


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("recent", ["zip", "order", "refund"]),
        ("oldest", ["refund", "order", "zip"]),
        ("created", ["zip", "refund", "order"]),
        ("priority", ["refund", "order", "zip"]),
    ],
)
def test_the_list_is_ordered_as_asked(
    client: Client, supervisor: User, mixed: dict[str, int], order: str, expected: list[str]
) -> None:
    # The first case saw activity after the second: activity and creation orders differ.
    Conversation.objects.filter(pk=mixed["order"]).update(
        last_message_at=T0 + timedelta(minutes=1, seconds=30), priority="high"
    )
    Conversation.objects.filter(pk=mixed["refund"]).update(priority="urgent")
    Conversation.objects.filter(pk=mixed["zip"]).update(priority="low")

    order_of = listed(login(client, supervisor), order=order)

    assert order_of == [mixed[name] for name in expected]


def test_a_row_shows_the_cases_facts(client: Client, agent: User, mixed: dict[str, int]) -> None:
    # Triaged as ingestion does (a no-op once it has): the triage columns are filled.
    assess_messages(list(Message.objects.values_list("pk", flat=True)))
    with time_machine.travel(T0 + timedelta(hours=2, minutes=1), tick=False):
        html = login(client, agent).get(reverse("inbox"), {"q": "refund"}).content.decode()

    row = re.search(r'<tr class="case-row">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = [
        re.sub(r"<[^>]+>|\s+", " ", cell).split()
        for cell in re.findall(r"<td.*?</td>", row[1], re.S)
    ]
    assert cells == [
        ["Pending"],
        ["Normal"],
        ["1", "h", "overdue"],  # first response was due an hour after the post
        ["37"],
        ["complaint"],
        ["Refund", "please"],
        ["neutral"],
        ["Returns", "/", "refund"],
        ["@u2"],
        ["shop-webhook", "·", "Generic", "webhook"],
        ["1"],
        ["alice"],
        ["2", "h", "ago"],
    ]
    assert f'href="/c/{mixed["refund"]}/"' in row[1]


@pytest.fixture
def many(generic_channel: Channel) -> list[int]:
    """51 new cases, one a minute; returned oldest first: due first, the inbox's default order."""
    ingest_items(
        generic_channel,
        [item(f"p{n}", author=f"u{n}", text=f"Post {n}", minutes=n) for n in range(51)],
    )
    return list(Conversation.objects.order_by("created_at").values_list("pk", flat=True))


def test_the_inbox_shows_fifty_cases_a_page(
    client: Client, supervisor: User, many: list[int]
) -> None:
    login(client, supervisor)

    first = client.get(reverse("inbox"))
    second = client.get(reverse("inbox"), {"page": "2"})

    assert [c.pk for c in first.context["page"]] == many[:50]
    assert [c.pk for c in second.context["page"]] == many[50:]
    assert b"1\xe2\x80\x9350 of 51" in first.content
    assert b"51\xe2\x80\x9351 of 51" in second.content


def test_page_links_keep_the_filters(client: Client, supervisor: User, many: list[int]) -> None:
    response = login(client, supervisor).get(reverse("inbox"), {"status": "new", "q": "post"})

    assert b'href="?status=new&amp;q=post&amp;page=2"' in response.content


def test_a_page_out_of_range_shows_the_last_page(
    client: Client, supervisor: User, many: list[int]
) -> None:
    response = login(client, supervisor).get(reverse("inbox"), {"page": "99"})

    assert [c.pk for c in response.context["page"]] == many[50:]


def test_an_htmx_request_gets_only_the_list(
    client: Client, agent: User, mixed: dict[str, int]
) -> None:
    response = login(client, agent).get(
        reverse("inbox"), {"status": "pending"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="inbox-results"')
    assert "<html" not in html
    assert '<form method="get"' not in html
    assert "Refund please" in html
    assert "Where is my order?" not in html
    assert response["Vary"] == "HX-Request, Cookie"


def test_an_htmx_history_restore_gets_the_whole_page(client: Client, agent: User) -> None:
    response = login(client, agent).get(
        reverse("inbox"), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert response.content.decode().startswith("<!doctype html>")


def test_an_empty_inbox_says_so(client: Client, agent: User) -> None:
    response = login(client, agent).get(reverse("inbox"))

    assert b"0 conversations" in response.content
    assert b"No conversation matches these filters." in response.content
