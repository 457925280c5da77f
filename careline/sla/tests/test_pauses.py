"""Waiting on the customer pauses the resolution clock; their answer resumes it. Resolving
stops every clock, a reopened case starts them again with the resolved span as a pause."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from careline.accounts.models import User
from careline.cases import hooks
from careline.cases.models import Conversation
from careline.cases.services import transition_case
from careline.inbox.models import Channel
from careline.sla.models import SlaPause
from careline.sla.selectors import case_clocks
from careline.workflow.sla import ClockState

from .conftest import post, utc

pytestmark = pytest.mark.django_db

T = utc(2026, 11, 2, 9, 0)


def answered_case(channel: Channel) -> Conversation:
    with time_machine.travel(T, tick=False):
        case = post(channel, "p1", T)
    hooks.reply_queued(case.pk, public=True, system=False, at=T + timedelta(minutes=10))
    case.refresh_from_db()
    return case


def set_status(case: Conversation, to: str, actor: User, at_minutes: int) -> Conversation:
    with time_machine.travel(T + timedelta(minutes=at_minutes), tick=False):
        transition_case(case, to=to, actor=actor)
    case.refresh_from_db()
    return case


def test_pending_pauses_the_resolution_clock_until_the_customer_answers(
    generic_channel: Channel, supervisor: User
) -> None:
    case = answered_case(generic_channel)
    assert case.sla_next_due_at == utc(2026, 11, 3, 9, 0)  # resolution, 24 h

    case = set_status(case, "pending", supervisor, 60)
    assert case.sla_next_due_at is None  # nothing counts while we wait on the customer
    assert case.sla_next_warn_at is None
    with time_machine.travel(T + timedelta(hours=2), tick=False):
        view = case_clocks(case)
    assert view is not None
    assert view.paused
    assert view.clocks.resolution.state is ClockState.PAUSED
    assert view.clocks.resolution.reason == (
        "Resolution paused since 2026-11-02 10:00 UTC while waiting on the customer; "
        "23 h of business time left"
    )

    answer_at = T + timedelta(hours=3)
    with time_machine.travel(answer_at, tick=False):
        post(generic_channel, "p2", answer_at, reply_to="p1")
    case.refresh_from_db()
    assert case.status == "pending"  # the status is the team's to change
    pause = SlaPause.objects.get(conversation=case)
    assert (pause.started_at, pause.ended_at, pause.end_reason) == (
        utc(2026, 11, 2, 10, 0),
        utc(2026, 11, 2, 12, 0),
        "the customer answered",
    )
    # Their message also starts the next-response clock (2 h), which is due first; the
    # resolution clock moved by the two paused hours.
    assert case.sla_next_due_at == utc(2026, 11, 2, 14, 0)
    with time_machine.travel(answer_at, tick=False):
        view = case_clocks(case)
    assert view is not None
    assert view.clocks.resolution.due_at == utc(2026, 11, 3, 11, 0)


def test_leaving_pending_resumes_the_clock(generic_channel: Channel, supervisor: User) -> None:
    case = answered_case(generic_channel)
    set_status(case, "pending", supervisor, 60)
    case = set_status(case, "open", supervisor, 90)
    assert case.sla_next_due_at == utc(2026, 11, 3, 9, 30)
    assert SlaPause.objects.get(conversation=case).end_reason == "set to open"


def test_resolving_stops_every_clock_and_reopening_restarts_them(
    generic_channel: Channel, supervisor: User
) -> None:
    case = answered_case(generic_channel)
    case = set_status(case, "resolved", supervisor, 120)
    assert (case.sla_next_due_at, case.sla_next_warn_at) == (None, None)

    # The customer writes again five hours later: the case reopens, the resolved span counts
    # as a pause, and their message is waiting for an answer.
    again = T + timedelta(hours=7)
    with time_machine.travel(again, tick=False):
        post(generic_channel, "p2", again, reply_to="p1")
    case.refresh_from_db()
    assert case.status == "open"
    pause = SlaPause.objects.get(conversation=case)
    assert (pause.cause, pause.started_at, pause.ended_at) == (
        "resolved",
        T + timedelta(hours=2),
        again,
    )
    assert case.customer_waiting_since == again
    assert case.sla_next_due_at == utc(2026, 11, 2, 18, 0)  # next response: 2 h
    with time_machine.travel(again, tick=False):
        view = case_clocks(case)
    assert view is not None
    assert view.clocks.resolution.due_at == utc(2026, 11, 3, 14, 0)  # 24 h + 5 h resolved


def test_closing_after_resolving_keeps_the_resolution_time(
    generic_channel: Channel, supervisor: User
) -> None:
    case = answered_case(generic_channel)
    set_status(case, "resolved", supervisor, 120)
    case = set_status(case, "closed", supervisor, 600)
    with time_machine.travel(T + timedelta(days=3), tick=False):
        view = case_clocks(case)
    assert view is not None
    assert view.clocks.resolution.state is ClockState.MET
    assert view.clocks.resolution.stopped_at == T + timedelta(hours=2)
    assert case.sla_next_due_at is None


def test_a_decision_not_to_reply_stops_the_reply_clock(generic_channel: Channel) -> None:
    with time_machine.travel(T, tick=False):
        case = post(generic_channel, "p1", T)
    Conversation.objects.filter(pk=case.pk).update(no_reply_at=T + timedelta(minutes=15))
    with time_machine.travel(T + timedelta(minutes=20), tick=False):
        view = case_clocks(case)
    assert view is not None
    assert view.clocks.first_response.state is ClockState.MET
    assert view.clocks.next_due_at == utc(2026, 11, 3, 9, 0)
