"""Reminders while a case waits on us, low scores, and the resolution check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import respx
from django.test import Client
from django.utils import timezone

from careline.cases.models import Conversation, EventKind
from careline.cases.services import CaseActionError
from careline.followup.models import StoryStatus, SuccessStory
from careline.followup.services import (
    ask_resolution_check,
    ask_story_consent,
    sweep_followups,
)
from careline.followup.tests.conftest import NOW, Story, customer_writes, post_answer, sent_texts
from careline.inbox.models import Channel
from careline.replies.models import OutboundMessage
from careline.replies.services import queue_reply

pytestmark = pytest.mark.django_db

HOURS_4 = timedelta(hours=4)


def reminders(case: Conversation) -> list[str]:
    return list(
        case.events.filter(kind=EventKind.REMINDER).order_by("id").values_list("reason", flat=True)
    )


@pytest.fixture
def waiting(answered: Story, generic_channel: Channel, clock: Any) -> Story:
    """The customer wrote again 10 minutes after the agent's answer."""
    clock.shift(timedelta(minutes=10))
    customer_writes(
        generic_channel, "p2", "It still says pending", at=timezone.now(), reply_to="p1"
    )
    answered.refresh()
    return answered


def test_a_customer_message_sets_the_reminder_and_an_answer_clears_it(
    waiting: Story, run: Callable[..., Any]
) -> None:
    due = NOW + timedelta(minutes=10) + HOURS_4
    assert waiting.case.followup_due_at == due

    run(queue_reply, waiting.case, text="Looking now", public=False, actor=waiting.agent)

    assert waiting.refresh().followup_due_at is None


def test_a_second_customer_message_keeps_the_first_due_time(
    waiting: Story, generic_channel: Channel, clock: Any
) -> None:
    clock.shift(timedelta(hours=1))
    customer_writes(generic_channel, "p3", "Hello??", at=timezone.now(), reply_to="p1")

    assert waiting.refresh().followup_due_at == NOW + timedelta(minutes=10) + HOURS_4


def test_one_reminder_per_due_time(waiting: Story, clock: Any) -> None:
    due = NOW + timedelta(minutes=10) + HOURS_4
    assert sweep_followups(now=due - timedelta(seconds=1)).reminded == 0

    clock.move_to(due)
    first = sweep_followups()
    again = sweep_followups()

    assert (first.reminded, again.reminded) == (1, 0)
    assert reminders(waiting.case) == [
        "Reminder for alice: the customer is waiting for our answer (due 2026-11-02 14:10 UTC); "
        "next reminder 2026-11-02 18:10 UTC"
    ]
    event = waiting.case.events.get(kind=EventKind.REMINDER)
    assert (event.actor, event.data["assignee"], event.data["due"]) == (
        None,
        "alice",
        due.isoformat(),
    )
    assert waiting.refresh().followup_due_at == due + HOURS_4

    clock.move_to(due + HOURS_4)
    assert sweep_followups().reminded == 1
    assert len(reminders(waiting.case)) == 2


def test_no_reminder_once_the_team_answered(
    waiting: Story, clock: Any, run: Callable[..., Any]
) -> None:
    run(queue_reply, waiting.case, text="On it", public=False, actor=waiting.agent)
    clock.move_to(NOW + timedelta(days=1))

    assert sweep_followups().reminded == 0
    assert reminders(waiting.case) == []


def test_a_stale_due_time_is_cleared_without_a_reminder(waiting: Story, clock: Any) -> None:
    # Someone answered by a path that did not clear it (an import of our own reply, say).
    Conversation.objects.filter(pk=waiting.case.pk).update(followup_due_at=NOW)
    waiting.case.messages.filter(direction="in").update(created_at=NOW - timedelta(hours=2))

    result = sweep_followups()

    assert (result.reminded, result.cleared) == (0, 1)
    assert waiting.refresh().followup_due_at is None


def test_resolving_stops_the_reminders(waiting: Story, run: Callable[..., Any], clock: Any) -> None:
    from careline.cases.services import transition_case

    run(transition_case, waiting.case, to="resolved", actor=waiting.agent)
    clock.move_to(NOW + timedelta(days=1))

    assert waiting.refresh().followup_due_at is None
    assert sweep_followups().reminded == 0


def test_a_low_score_calls_for_attention(
    resolved: Story,
    token: str,
    public_client: Client,
    clock: Any,
    django_capture_on_commit_callbacks: Any,
    run: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post_answer(public_client, token, score="2", comment="meh")

    case = resolved.refresh()
    assert case.followup_due_at == NOW + HOURS_4
    assert reminders(case) == [
        "Low satisfaction score (2/5): look at the case again and follow up with the customer; "
        "reminder due 2026-11-02 14:00 UTC"
    ]
    assert not SuccessStory.objects.exists()

    clock.move_to(NOW + HOURS_4)
    assert sweep_followups().reminded == 1
    assert reminders(case)[-1] == (
        "Reminder for alice: the customer rated our help 2/5 and nobody has followed up (due "
        "2026-11-02 14:00 UTC); next reminder 2026-11-02 18:00 UTC"
    )
    run(queue_reply, case, text="Sorry, let us fix this", public=False, actor=resolved.agent)
    assert resolved.refresh().followup_due_at is None


def test_a_good_score_asks_for_story_consent_once(
    resolved: Story,
    token: str,
    public_client: Client,
    relay: respx.Route,
    django_capture_on_commit_callbacks: Any,
    run: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post_answer(public_client, token, score="5", comment="great")

    story = SuccessStory.objects.get()
    assert (story.status, story.asked_at, story.consent_at) == (StoryStatus.ASKED, NOW, None)
    assert story.ask_outbound is not None
    assert sent_texts(relay)[-1] == story.ask_outbound.message.text
    assert len(relay.calls) == 3  # the answer, the survey, the consent question
    event = resolved.case.events.get(kind=EventKind.STORY_CONSENT)
    assert event.data == {"step": "asked", "outbound": story.ask_outbound.pk}

    assert run(ask_story_consent, resolved.case) is None
    assert len(relay.calls) == 3
    assert reminders(resolved.case) == []
    assert resolved.refresh().followup_due_at is None


def test_proposing_a_resolution_asks_the_customer_and_waits(
    answered: Story, relay: respx.Route, run: Callable[..., Any]
) -> None:
    event = run(ask_resolution_check, answered.case, actor=answered.agent)

    case = answered.refresh()
    assert (case.resolution_proposed_at, case.status) == (NOW, "pending")
    assert event.actor == answered.agent
    assert event.kind == EventKind.RESOLUTION_CHECK
    outbound = OutboundMessage.objects.get(pk=event.data["outbound"])
    assert outbound.created_by is None  # careline's message, not the team's answer
    assert outbound.message.visibility == "private"
    assert sent_texts(relay)[-1] == outbound.message.text
    assert event.reason.startswith(
        "Resolution proposed; asked the customer whether it is acceptable (privately)."
    )


def test_a_resolution_check_needs_an_open_case(
    resolved: Story, relay: respx.Route, run: Callable[..., Any]
) -> None:
    calls = len(relay.calls)
    with pytest.raises(CaseActionError, match="the case is resolved"):
        run(ask_resolution_check, resolved.case, actor=resolved.agent)

    assert len(relay.calls) == calls
    assert not resolved.case.events.filter(kind=EventKind.RESOLUTION_CHECK).exists()


def test_an_unanswered_resolution_check_is_followed_up_once(
    answered: Story, relay: respx.Route, run: Callable[..., Any], clock: Any
) -> None:
    run(ask_resolution_check, answered.case, actor=answered.agent)
    calls = len(relay.calls)

    clock.move_to(NOW + timedelta(days=3) - timedelta(seconds=1))
    assert sweep_followups().followed_up == 0
    clock.move_to(NOW + timedelta(days=3))
    with_follow_up = run(sweep_followups)
    again = run(sweep_followups)

    assert (with_follow_up.followed_up, again.followed_up) == (1, 0)
    assert len(relay.calls) == calls + 1
    event = answered.case.events.get(kind=EventKind.REMINDER)
    assert event.data["resolution_follow_up"] == NOW.isoformat()
    assert event.data["sent"] is True
    assert event.reason.startswith(
        "No answer to the proposed resolution since 2026-11-02 10:00 UTC: asked the customer "
        "again (private)."
    )


def test_no_follow_up_when_the_customer_answered_the_check(
    answered: Story, generic_channel: Channel, run: Callable[..., Any], clock: Any
) -> None:
    run(ask_resolution_check, answered.case, actor=answered.agent)
    clock.shift(timedelta(hours=1))
    customer_writes(generic_channel, "p2", "Yes, all good!", at=timezone.now(), reply_to="p1")

    clock.move_to(NOW + timedelta(days=4))
    assert run(sweep_followups).followed_up == 0
    assert not answered.case.events.filter(
        kind=EventKind.REMINDER, data__has_key="resolution_follow_up"
    ).exists()
