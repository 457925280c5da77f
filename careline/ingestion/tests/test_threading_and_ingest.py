from __future__ import annotations

import dataclasses

import pytest

from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.workflow import Status
from careline.connectors.base import Action, InboundItem
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


def change(external_id: str, action: Action, text: str = "", minutes: int = 10) -> InboundItem:
    return dataclasses.replace(item(external_id, text=text, minutes=minutes), action=action)


def test_an_edit_replaces_the_text_and_keeps_the_old_one_in_the_record(
    generic_channel: Channel,
) -> None:
    ingest_items(generic_channel, [item("p1", text="Parcel late")])

    result = ingest_items(generic_channel, [change("p1", Action.EDIT, "Parcel late AND broken")])

    message = Message.objects.get()
    assert (result.changed, message.text) == (1, "Parcel late AND broken")
    assert message.edited_at is not None
    event = CaseEvent.objects.get(kind=EventKind.MESSAGE_EDITED)
    assert event.data == {"message": "p1", "previous_text": "Parcel late"}


def test_a_deletion_is_recorded_and_the_item_kept_for_the_record(
    generic_channel: Channel,
) -> None:
    ingest_items(generic_channel, [item("p1", text="Parcel late")])

    ingest_items(generic_channel, [change("p1", Action.DELETE)])
    again = ingest_items(generic_channel, [change("p1", Action.DELETE)])

    message = Message.objects.get()
    assert message.deleted_at is not None
    assert message.text == "Parcel late"
    assert again.duplicates == 1
    assert CaseEvent.objects.filter(kind=EventKind.MESSAGE_DELETED).count() == 1


def test_hide_and_unhide_toggle_the_item(generic_channel: Channel) -> None:
    ingest_items(generic_channel, [item("p1")])

    ingest_items(generic_channel, [change("p1", Action.HIDE, minutes=1)])
    assert Message.objects.get().hidden_at is not None
    ingest_items(generic_channel, [change("p1", Action.UNHIDE, minutes=2)])

    assert Message.objects.get().hidden_at is None
    assert list(CaseEvent.objects.values_list("kind", flat=True)) == [
        EventKind.CREATED,
        EventKind.MESSAGE_HIDDEN,
        EventKind.MESSAGE_UNHIDDEN,
    ]


def test_changes_to_unknown_items_are_ignored_but_an_edit_is_stored_as_new(
    generic_channel: Channel,
) -> None:
    result = ingest_items(
        generic_channel,
        [change("gone", Action.DELETE), change("e1", Action.EDIT, "edited before we saw it")],
    )

    assert (result.ignored, result.created) == (1, 1)
    assert Message.objects.get().text == "edited before we saw it"


def test_platform_kind_indirect_and_extra_are_stored(generic_channel: Channel) -> None:
    listened = dataclasses.replace(
        item("t1"), kind="tweet", indirect=True, extra={"matching_rules": ["careline"]}
    )

    ingest_items(generic_channel, [listened])

    message = Message.objects.get()
    assert (message.platform_kind, message.indirect, message.extra) == (
        "tweet",
        True,
        {"matching_rules": ["careline"]},
    )
