"""Duty-of-care moderation and recorded decisions not to reply, on stored items."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import respx
import time_machine

from careline.accounts.models import User
from careline.assessments.models import Assessment
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.services import CaseActionError
from careline.connectors.base import InboundItem
from careline.inbox.models import Channel, Message
from careline.ingestion.services import ingest_items
from careline.replies import moderation_tasks
from careline.replies.models import OutboundMessage
from careline.replies.moderation import (
    EXPLANATIONS,
    decide_no_reply,
    flag_for_removal,
    hide_message,
    moderate_for_duty_of_care,
    on_inbound_stored,
    protect_private_data,
    remove_flagged,
)
from careline.replies.services import queue_reply
from conftest import T0, item

pytestmark = pytest.mark.django_db

GRAPH = "https://graph.test"
PAGE = "104738291234567"
NOW = T0 + timedelta(minutes=30)
CARD_TEXT = "My card 4111 1111 1111 1111 was charged twice, please help"
SPAM_TEXT = "Buy cheap followers now!!! Click here http://x.test http://y.test #promo #deal #free"
CRITICISM = "Third week waiting for my refund, your service is really poor"
FLOOD_EVIDENCE = [
    {
        "rule": "flood",
        "weight": 0.7,
        "reason": "the same text from 3 authors within 24 h",
        "verifies": False,
    }
]


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def facebook(db: None) -> Channel:
    return Channel.objects.create(
        name="shop-facebook",
        platform="facebook",
        external_id=PAGE,
        credentials={
            "app_secret": "secret",
            "page_access_token": "page-token",
            "page_id": PAGE,
            "graph_host": GRAPH,
        },
    )


def comment(external_id: str, text: str, *, public: bool = True) -> InboundItem:
    return InboundItem(
        external_id=external_id,
        author_id="6543210987654321",
        author_handle="jane",
        author_name="Jane Doe",
        text=text,
        created_at=T0,
        public=public,
    )


def stored(channel: Channel, text: str, external_id: str = "c1", **triage: Any) -> Message:
    """Ingest one public item; ``triage`` overrides its assessment for an exact setup."""
    ingest_items(channel, [comment(external_id, text)])
    message = Message.objects.get(external_id=external_id)
    if triage:
        Assessment.objects.filter(message=message).update(**triage)
    return Message.objects.select_related("assessment", "channel").get(pk=message.pk)


def events(message: Message) -> list[tuple[str, str]]:
    return list(
        CaseEvent.objects.filter(conversation_id=message.conversation_id)
        .exclude(kind__in=[EventKind.CREATED, EventKind.MESSAGE_RECEIVED])
        .values_list("kind", "reason")
    )


# --- private data ----------------------------------------------------------------------------


def test_an_item_exposing_a_card_is_hidden_and_the_person_told_why_in_private(
    facebook: Channel, agent: User
) -> None:
    message = stored(facebook, CARD_TEXT)

    outcome = moderate_for_duty_of_care(message, actor=agent)

    assert outcome.decision.action == "hide"
    hide = OutboundMessage.objects.get(action="hide")
    assert (hide.target_id, hide.reason, hide.created_by) == (
        message.pk,
        "duty of care: exposes private data in public (card)",
        agent,
    )
    explanation = OutboundMessage.objects.get(action="send")
    assert explanation.mode == "private_reply"
    assert explanation.message.text == EXPLANATIONS["private_data"].format(
        what="a card number", platform="Facebook"
    )
    assert explanation.message.visibility == "private"
    # One conversation: the explanation continues the same case.
    assert explanation.conversation_id == message.conversation_id
    assert events(message)[:2] == [
        ("moderation_requested", "duty of care: exposes private data in public (card)"),
        ("reply_queued", "private reply to a public comment queued"),
    ]


@respx.mock
def test_private_data_is_hidden_automatically_on_ingest_by_careline(
    facebook: Channel, django_capture_on_commit_callbacks: Any
) -> None:
    hide = respx.post(f"{GRAPH}/v21.0/c1").mock(
        return_value=httpx.Response(200, json={"success": True})
    )
    private = respx.post(f"{GRAPH}/v21.0/{PAGE}/messages").mock(
        return_value=httpx.Response(200, json={"recipient_id": "r", "message_id": "m_1"})
    )

    with django_capture_on_commit_callbacks(execute=True):
        ingest_items(facebook, [comment("c1", CARD_TEXT)])

    message = Message.objects.get(external_id="c1")
    assert message.hidden_at == NOW
    assert hide.calls.last.request.content == b"is_hidden=true"
    sent = json.loads(private.calls.last.request.content)
    assert sent["recipient"] == {"comment_id": "c1"}
    assert "a card number" in sent["message"]["text"]
    assert "4111" not in sent["message"]["text"]
    recorded = CaseEvent.objects.filter(
        conversation_id=message.conversation_id,
        kind__in=[EventKind.MODERATION_REQUESTED, EventKind.MESSAGE_HIDDEN],
    )
    assert list(recorded.values_list("kind", "actor", "reason")) == [
        (
            "moderation_requested",
            None,
            "duty of care (automatic): exposes private data in public (card)",
        ),
        (
            "message_hidden",
            None,
            "on shop-facebook: duty of care (automatic): exposes private data in public (card)",
        ),
    ]
    # An automatic explanation is not the team's answer: the case still waits for one.
    case = Conversation.objects.get()
    assert (case.status, case.first_response_at) == ("new", None)


def test_a_relayed_channel_cannot_hide_so_nothing_is_queued_on_ingest(
    generic_channel: Channel, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ingest_items(generic_channel, [item("p1", text=CARD_TEXT)])

    assert OutboundMessage.objects.count() == 0
    assert not any("_auto_duty_of_care" in getattr(c, "__qualname__", "") for c in callbacks)


def test_where_hiding_is_impossible_the_person_is_asked_to_delete_it(
    generic_channel: Channel, agent: User
) -> None:
    message = stored(generic_channel, CARD_TEXT, external_id="p1")

    outcome = moderate_for_duty_of_care(message, actor=agent)

    assert OutboundMessage.objects.filter(action="hide").count() == 0
    assert outcome.explanation is not None
    assert outcome.explanation.message.text == EXPLANATIONS["private_data_not_hidden"].format(
        what="a card number", platform="Generic"
    )
    assert events(message)[0] == (
        "moderation_requested",
        "duty of care: exposes private data in public (card); shop-webhook replies through a "
        "bridge, which cannot hide items: asked the person in private to delete it",
    )


def test_a_failed_explanation_is_recorded_and_the_hide_stands(
    facebook: Channel, agent: User
) -> None:
    message = stored(facebook, CARD_TEXT)
    # The one private reply to this comment is used up already.
    queue_reply(message.conversation, text="Checking", public=False, actor=agent)

    outcome = moderate_for_duty_of_care(message, actor=agent)

    assert outcome.moderation is not None
    assert outcome.explanation is None
    assert outcome.explanation_error.startswith("the private explanation could not be queued")
    assert CaseEvent.objects.filter(kind=EventKind.MODERATION_FAILED).count() == 1


# --- offensive, not legitimate, criticism ------------------------------------------------------


def test_an_offensive_item_is_hidden_with_its_reason(facebook: Channel, agent: User) -> None:
    message = stored(
        facebook, "You lot are vile", kind="troll", offensive=True, offensive_score=0.97
    )

    outcome = hide_message(message, actor=agent, reason="insults other customers")

    assert outcome.moderation is not None
    assert outcome.moderation.reason == (
        "insults other customers (triage: offensive to others (triage p=0.97))"
    )
    # A troll has no request to continue: no private message.
    assert outcome.explanation is None
    assert OutboundMessage.objects.filter(action="send").count() == 0


def test_an_offensive_complaint_is_hidden_and_continued_in_private(
    facebook: Channel, agent: User
) -> None:
    message = stored(
        facebook, "Parcel lost, idiots", kind="complaint", offensive=True, offensive_score=0.99
    )

    outcome = moderate_for_duty_of_care(message, actor=agent)

    assert outcome.moderation is not None
    assert outcome.moderation.reason == "duty of care: offensive to others (triage p=0.99)"
    assert outcome.explanation is not None
    assert outcome.explanation.message.text == EXPLANATIONS["offensive"]


def test_a_not_legitimate_item_is_flagged_for_removal_with_the_evidence(
    facebook: Channel, agent: User
) -> None:
    message = stored(
        facebook,
        "Worst shop ever, never buy here",
        kind="complaint",
        legitimacy="suspicious",
        legitimacy_score=0.7,
        evidence=FLOOD_EVIDENCE,
    )

    event = flag_for_removal(message, actor=agent)

    assert (event.kind, event.actor, event.reason) == (
        "moderation_requested",
        agent,
        "flagged for removal: not legitimate: the same text from 3 authors within 24 h",
    )
    assert event.data == {
        "action": "flag_for_removal",
        "message": "c1",
        "message_id": message.pk,
        "kind": "complaint",
        "legitimacy": "suspicious",
        "legitimacy_score": 0.7,
        "evidence": FLOOD_EVIDENCE,
    }
    assert OutboundMessage.objects.count() == 0
    with pytest.raises(CaseActionError, match="flagged for removal already"):
        flag_for_removal(message, actor=agent)


def test_a_supervisor_removes_a_flagged_item_an_agent_cannot(
    facebook: Channel, agent: User, supervisor: User
) -> None:
    message = stored(facebook, SPAM_TEXT, legitimacy="suspicious", evidence=FLOOD_EVIDENCE)
    flag_for_removal(message, actor=agent)

    with pytest.raises(CaseActionError, match="supervisor's decision"):
        remove_flagged(message, actor=agent)
    outbound = remove_flagged(message, actor=supervisor)

    assert (outbound.action, outbound.created_by) == ("delete", supervisor)
    assert outbound.reason.startswith("removing an item flagged as not legitimate (flagged")


def test_legitimate_criticism_is_never_hidden_and_nothing_changes(
    facebook: Channel, agent: User
) -> None:
    message = stored(
        facebook,
        CRITICISM,
        kind="complaint",
        legitimacy="legitimate",
        offensive=False,
        offensive_score=0.2,
    )
    before = events(message)

    with pytest.raises(CaseActionError) as refused:
        hide_message(message, actor=agent, reason="makes us look bad")

    why = (
        "legitimate criticism is never hidden: this complaint is legitimate, not offensive to "
        "others and exposes no private data — answer it instead"
    )
    assert str(refused.value) == why
    assert OutboundMessage.objects.count() == 0
    message.refresh_from_db()
    assert message.hidden_at is None
    refusal = CaseEvent.objects.filter(conversation_id=message.conversation_id).last()
    assert refusal is not None
    assert (refusal.kind, refusal.actor, refusal.reason) == ("moderation_refused", agent, why)
    assert refusal.data["asked_reason"] == "makes us look bad"
    assert events(message) == [*before, ("moderation_refused", why)]


def test_legitimate_criticism_cannot_be_flagged_or_moderated_either(
    facebook: Channel, agent: User
) -> None:
    message = stored(facebook, CRITICISM, kind="complaint", legitimacy="verified")

    with pytest.raises(CaseActionError, match="never hidden"):
        flag_for_removal(message, actor=agent, reason="fake")
    with pytest.raises(CaseActionError, match="never hidden"):
        moderate_for_duty_of_care(message, actor=agent)

    assert OutboundMessage.objects.count() == 0
    assert CaseEvent.objects.filter(kind="moderation_refused").count() == 2


def test_a_compliment_has_nothing_to_moderate(facebook: Channel, agent: User) -> None:
    message = stored(facebook, "Lovely team, thanks!", kind="compliment", legitimacy="legitimate")

    with pytest.raises(CaseActionError, match="nothing to hide"):
        moderate_for_duty_of_care(message, actor=agent)
    with pytest.raises(CaseActionError, match="say why"):
        hide_message(message, actor=agent, reason="  ")

    assert OutboundMessage.objects.count() == 0


# --- no reply --------------------------------------------------------------------------------


def test_certain_spam_gets_an_automatic_recorded_decision_not_to_reply(
    generic_channel: Channel,
) -> None:
    ingest_items(generic_channel, [item("s1", text=SPAM_TEXT)])

    case = Conversation.objects.get()
    why = (
        "Spam (automatic, triage 1.00): spam rules: 2 promo phrase(s), 2 link(s), 3 hashtag(s) "
        "(rules)"
    )
    assert (case.no_reply_reason, case.no_reply_at, case.no_reply_by) == (why, NOW, None)
    event = case.events.get(kind=EventKind.NO_REPLY_DECIDED)
    assert (event.actor, event.reason, event.data) == (
        None,
        why,
        {"reason": "spam", "automatic": True, "score": 1.0},
    )


def test_a_case_with_a_real_message_besides_spam_is_not_decided_automatically(
    generic_channel: Channel,
) -> None:
    ingest_items(generic_channel, [item("p1", text="Where is my parcel? It is late")])
    ingest_items(generic_channel, [item("s1", text=SPAM_TEXT, minutes=1, reply_to="p1")])

    case = Conversation.objects.get()
    assert case.no_reply_at is None
    assert not case.events.filter(kind=EventKind.NO_REPLY_DECIDED).exists()


def test_an_ordinary_batch_costs_the_hook_one_query(
    generic_channel: Channel, django_assert_num_queries: Any
) -> None:
    ingest_items(
        generic_channel,
        [item(f"p{n}", author=f"u{n}", text="Where is my parcel?") for n in range(30)],
    )
    ids = list(Conversation.objects.values_list("pk", flat=True))

    with django_assert_num_queries(1):
        on_inbound_stored(ids)


def test_an_agent_decides_not_to_reply_with_a_reason(generic_channel: Channel, agent: User) -> None:
    ingest_items(generic_channel, [item("p1", text="Same as my other post")])
    case = Conversation.objects.get()

    decided = decide_no_reply(case, actor=agent, reason="duplicate", note="  see case  #12 ")

    assert (decided.no_reply_reason, decided.no_reply_at, decided.no_reply_by) == (
        "Duplicate: see case #12",
        NOW,
        agent,
    )
    event = case.events.get(kind=EventKind.NO_REPLY_DECIDED)
    assert (event.actor, event.reason, event.data) == (
        agent,
        "Duplicate: see case #12",
        {"reason": "duplicate", "note": "see case #12"},
    )
    with pytest.raises(CaseActionError, match="recorded already: Duplicate: see case #12"):
        decide_no_reply(case, actor=agent, reason="spam")


@pytest.mark.parametrize(
    ("reason", "note", "message"),
    [
        (
            "bored",
            "",
            "choose a reason: spam, duplicate, handled_elsewhere, not_addressed, abusive",
        ),
        ("duplicate", " ", "say which case it duplicates"),
        ("handled_elsewhere", "", "say where it was handled"),
    ],
)
def test_a_no_reply_decision_needs_a_known_reason_and_its_details(
    generic_channel: Channel, agent: User, reason: str, note: str, message: str
) -> None:
    ingest_items(generic_channel, [item("p1", text="Hello")])
    case = Conversation.objects.get()

    with pytest.raises(CaseActionError) as refused:
        decide_no_reply(case, actor=agent, reason=reason, note=note)

    assert str(refused.value) == message
    case.refresh_from_db()
    assert (case.no_reply_at, case.no_reply_reason) == (None, "")


def test_an_answered_case_cannot_be_decided_not_to_reply(
    generic_channel: Channel, agent: User
) -> None:
    ingest_items(generic_channel, [item("p1", text="Hello there")])
    case = Conversation.objects.get()
    queue_reply(case, text="Hi! How can we help?", public=True, actor=agent)

    with pytest.raises(CaseActionError, match="answered already"):
        decide_no_reply(case, actor=agent, reason="not_addressed")

    assert not case.events.filter(kind=EventKind.NO_REPLY_DECIDED).exists()


def test_a_legitimate_complaint_is_not_dismissed_as_spam(
    generic_channel: Channel, agent: User
) -> None:
    ingest_items(generic_channel, [item("p1", text=CRITICISM)])
    case = Conversation.objects.get()
    Assessment.objects.update(kind="complaint", legitimacy="legitimate")
    Conversation.objects.update(triage_kind="complaint")

    with pytest.raises(CaseActionError) as refused:
        decide_no_reply(case, actor=agent, reason="spam")

    assert str(refused.value) == (
        "triage finds this complaint legitimate; a complaint is answered, not dismissed as "
        "spam (correct the triage first if it is wrong)"
    )
    # Handled elsewhere is a fair reason for a complaint.
    decided = decide_no_reply(case, actor=agent, reason="handled_elsewhere", note="by phone")
    assert decided.no_reply_reason == "Handled elsewhere: by phone"


def test_a_no_reply_decision_stops_the_reply_clock(generic_channel: Channel, agent: User) -> None:
    ingest_items(generic_channel, [item("p1", text="Hello")])
    case = Conversation.objects.get()
    assert case.customer_waiting_since is not None

    decided = decide_no_reply(case, actor=agent, reason="not_addressed")

    assert decided.customer_waiting_since is None


def test_the_automatic_protection_is_safe_to_run_twice(facebook: Channel) -> None:
    message = stored(facebook, CARD_TEXT)

    assert protect_private_data(message.pk) == "hidden"
    assert protect_private_data(message.pk) == "done already"

    assert OutboundMessage.objects.filter(action="hide").count() == 1
    assert OutboundMessage.objects.filter(action="send").count() == 1


def test_an_x_mention_that_is_not_a_reply_is_not_hidden_automatically(
    django_capture_on_commit_callbacks: Any,
) -> None:
    x = Channel.objects.create(
        name="shop-x",
        platform="x",
        external_id="1111111111",
        credentials={
            "user_id": "1111111111",
            "user_access_token": "u",
            "api_base": "https://x.test",
        },
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ingest_items(x, [comment("1800000000000000002", CARD_TEXT)])

    message = Message.objects.get()
    assert protect_private_data(message.pk) == "nothing to do"
    assert not any("_auto_duty_of_care" in getattr(c, "__qualname__", "") for c in callbacks)


def test_a_private_message_has_nothing_to_hide(facebook: Channel, agent: User) -> None:
    ingest_items(facebook, [comment("c9", CARD_TEXT, public=False)])
    message = Message.objects.get(external_id="c9")

    with pytest.raises(CaseActionError, match="nothing to hide"):
        hide_message(message, actor=agent, reason="card number")

    assert OutboundMessage.objects.count() == 0


def test_on_ingest_every_public_unhidden_item_exposing_data_in_the_case_is_protected(
    facebook: Channel, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(
        moderation_tasks, "protect_private_data", SimpleNamespace(enqueue=queued.append)
    )
    with django_capture_on_commit_callbacks(execute=True):
        ingest_items(
            facebook,
            [
                comment("c1", CARD_TEXT),
                dataclasses.replace(comment("c2", CARD_TEXT), reply_to="c1"),
            ],
        )
    first, hidden = Message.objects.order_by("external_id")
    assert queued == [first.pk, hidden.pk]
    Message.objects.filter(pk=hidden.pk).update(hidden_at=NOW)
    queued.clear()

    replies = [
        dataclasses.replace(comment(f"r{n}", text), reply_to="c1", created_at=NOW)
        for n, text in enumerate([CARD_TEXT, "Thanks, that is all", CRITICISM])
    ]
    with django_capture_on_commit_callbacks(execute=True):
        ingest_items(facebook, replies)

    # The earlier item not hidden yet (its hide never went out) is protected again, with the
    # new one; the hidden item and those without private data are not.
    exposing_reply = Message.objects.get(external_id="r0")
    assert {m.conversation_id for m in Message.objects.all()} == {first.conversation_id}
    assert queued == [first.pk, exposing_reply.pk]
