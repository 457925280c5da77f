from __future__ import annotations

import pytest

from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.workflow import Status
from careline.inbox.models import Author, Channel, Message
from careline.ingestion.services import ingest_items
from conftest import item

pytestmark = pytest.mark.django_db


def test_a_new_public_post_starts_a_new_case(generic_channel: Channel) -> None:
    result = ingest_items(generic_channel, [item("p1", text="My parcel is late")])

    assert (result.created, result.duplicates, result.conversations_created) == (1, 0, 1)
    case = Conversation.objects.get()
    assert (case.status, case.subject, case.message_count) == ("new", "My parcel is late", 1)
    event = CaseEvent.objects.get()
    assert (event.kind, event.reason) == (EventKind.CREATED, "new public post")


def test_ingesting_the_same_items_twice_adds_nothing(generic_channel: Channel) -> None:
    ingest_items(generic_channel, [item("p1"), item("p2", author="u2")])

    again = ingest_items(generic_channel, [item("p1"), item("p2", author="u2")])

    assert (again.created, again.duplicates) == (0, 2)
    assert Message.objects.count() == 2
    assert Author.objects.count() == 2


def test_a_reply_joins_its_parents_case(generic_channel: Channel) -> None:
    ingest_items(generic_channel, [item("p1")])

    ingest_items(generic_channel, [item("r1", author="u2", reply_to="p1", minutes=5)])

    case = Conversation.objects.get()
    assert list(case.messages.values_list("external_id", flat=True)) == ["p1", "r1"]
    assert case.message_count == 2
    assert case.events.last().reason == "reply to p1"


def test_a_reply_in_the_same_batch_as_its_parent_joins_it(generic_channel: Channel) -> None:
    # Delivered out of order inside one batch: the parent is older, so it is threaded first.
    ingest_items(generic_channel, [item("r1", reply_to="p1", minutes=3), item("p1")])

    assert Conversation.objects.count() == 1
    assert Conversation.objects.get().message_count == 2


def test_replies_whose_parent_never_arrived_stay_together(generic_channel: Channel) -> None:
    ingest_items(generic_channel, [item("r1", reply_to="missing")])
    ingest_items(generic_channel, [item("r2", author="u2", reply_to="missing", minutes=1)])

    assert Conversation.objects.count() == 1
    assert set(Message.objects.values_list("thread_root", flat=True)) == {"missing"}


def test_a_direct_message_joins_the_authors_open_case(generic_channel: Channel) -> None:
    ingest_items(generic_channel, [item("p1", text="Refund please")])

    ingest_items(generic_channel, [item("d1", public=False, minutes=10, text="order 1234")])

    case = Conversation.objects.get()
    assert case.message_count == 2
    assert case.events.last().reason == "direct message from a person with an open case"


def test_a_direct_message_after_the_case_was_closed_starts_a_new_case(
    generic_channel: Channel,
) -> None:
    ingest_items(generic_channel, [item("d1", public=False)])
    Conversation.objects.update(status=Status.CLOSED)

    ingest_items(generic_channel, [item("d2", public=False, minutes=60)])

    assert Conversation.objects.count() == 2


def test_a_public_post_by_the_same_person_is_a_new_case(generic_channel: Channel) -> None:
    ingest_items(generic_channel, [item("p1")])

    ingest_items(generic_channel, [item("p2", minutes=30, text="Another thing")])

    assert Conversation.objects.count() == 2


def test_a_reply_to_a_resolved_case_reopens_it(generic_channel: Channel) -> None:
    ingest_items(generic_channel, [item("p1")])
    Conversation.objects.update(status=Status.RESOLVED)

    ingest_items(generic_channel, [item("r1", reply_to="p1", minutes=90, text="Still broken")])

    case = Conversation.objects.get()
    assert case.status == Status.OPEN
    assert case.events.filter(kind=EventKind.REOPENED).count() == 1


def test_a_reply_to_a_closed_case_starts_a_new_one(generic_channel: Channel) -> None:
    ingest_items(generic_channel, [item("p1")])
    Conversation.objects.update(status=Status.CLOSED)

    ingest_items(generic_channel, [item("r1", reply_to="p1", minutes=90)])

    assert Conversation.objects.count() == 2
    newest = Conversation.objects.latest("id")
    assert newest.events.get().reason == "reply to p1, whose case is closed"


def test_a_post_whose_replies_arrived_first_joins_them(generic_channel: Channel) -> None:
    ingest_items(generic_channel, [item("r1", author="u2", reply_to="p1", minutes=5)])

    ingest_items(generic_channel, [item("p1")])

    case = Conversation.objects.get()
    assert case.message_count == 2
    assert case.events.last().reason == "its replies arrived before it"
