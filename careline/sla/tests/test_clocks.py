"""Clocks stored on the case, end to end: ingest, replies, status and priority changes, with
time frozen across business hours, a weekend, a holiday and a clock change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from careline.accounts.models import User
from careline.cases import hooks
from careline.cases.models import Conversation
from careline.inbox.models import Channel

from .conftest import london_office, office_policy, post, utc

pytestmark = pytest.mark.django_db


def test_a_new_case_gets_the_built_in_normal_targets(generic_channel: Channel) -> None:
    at = utc(2026, 11, 2, 9, 0)
    with time_machine.travel(at, tick=False):
        case = post(generic_channel, "p1", at)
    assert case.sla_policy == "Default normal"
    assert case.customer_waiting_since == at
    assert case.sla_next_due_at == utc(2026, 11, 2, 10, 0)
    assert case.sla_next_warn_at == utc(2026, 11, 2, 9, 48)
    assert case.first_response_at is None


def test_a_case_late_on_friday_is_due_on_monday_morning(
    generic_channel: Channel, supervisor: User
) -> None:
    office_policy(supervisor, london_office())
    at = utc(2026, 11, 6, 16, 30)  # Friday, GMT
    with time_machine.travel(at, tick=False):
        case = post(generic_channel, "p1", at)
    assert case.sla_policy == "Office normal"
    # 30 minutes on Friday, 30 on Monday from 09:00.
    assert case.sla_next_due_at == utc(2026, 11, 9, 9, 30)
    # A quarter of the hour before: 15 minutes before the due time, on Monday.
    assert case.sla_next_warn_at == utc(2026, 11, 9, 9, 15)


def test_a_holiday_is_skipped(generic_channel: Channel, supervisor: User) -> None:
    office_policy(supervisor, london_office(date(2026, 12, 25)))
    at = utc(2026, 12, 24, 16, 30)  # Thursday; Friday is Christmas
    with time_machine.travel(at, tick=False):
        case = post(generic_channel, "p1", at)
    assert case.sla_next_due_at == utc(2026, 12, 28, 9, 30)


def test_office_hours_keep_their_local_time_across_the_spring_clock_change(
    generic_channel: Channel, supervisor: User
) -> None:
    office_policy(supervisor, london_office())
    at = utc(2026, 3, 27, 16, 30)  # Friday 16:30 GMT; Sunday the clocks go forward
    with time_machine.travel(at, tick=False):
        case = post(generic_channel, "p1", at)
    # Monday 09:00 BST is 08:00 UTC; 30 minutes left.
    assert case.sla_next_due_at == utc(2026, 3, 30, 8, 30)


def test_a_reply_stops_the_first_response_clock_and_a_system_message_does_not(
    generic_channel: Channel,
) -> None:
    at = utc(2026, 11, 2, 9, 0)
    with time_machine.travel(at, tick=False):
        case = post(generic_channel, "p1", at)
    hooks.reply_queued(case.pk, public=True, system=True, at=at + timedelta(minutes=5))
    case.refresh_from_db()
    assert case.first_response_at is None
    assert case.sla_next_due_at == utc(2026, 11, 2, 10, 0)

    hooks.reply_queued(case.pk, public=True, system=False, at=at + timedelta(minutes=20))
    case.refresh_from_db()
    assert case.first_response_at == utc(2026, 11, 2, 9, 20)
    assert case.last_agent_reply_at == utc(2026, 11, 2, 9, 20)
    assert case.customer_waiting_since is None
    # Only the resolution clock runs now: 24 h for normal cases.
    assert case.sla_next_due_at == utc(2026, 11, 3, 9, 0)


def test_a_customer_message_after_a_reply_starts_the_next_response_clock(
    generic_channel: Channel,
) -> None:
    at = utc(2026, 11, 2, 9, 0)
    with time_machine.travel(at, tick=False):
        case = post(generic_channel, "p1", at)
    hooks.reply_queued(case.pk, public=True, system=False, at=at + timedelta(minutes=20))
    later = at + timedelta(minutes=40)
    with time_machine.travel(later, tick=False):
        post(generic_channel, "p2", later, reply_to="p1")
        post(generic_channel, "p3", later + timedelta(minutes=1), reply_to="p1")
    case.refresh_from_db()
    # The oldest unanswered message counts: 09:40, plus two hours.
    assert case.customer_waiting_since == utc(2026, 11, 2, 9, 40)
    assert case.sla_next_due_at == utc(2026, 11, 2, 11, 40)


def test_raising_the_priority_applies_the_urgent_targets(generic_channel: Channel) -> None:
    at = utc(2026, 11, 2, 9, 0)
    with time_machine.travel(at, tick=False):
        case = post(generic_channel, "p1", at)
    Conversation.objects.filter(pk=case.pk).update(priority="urgent")
    hooks.priority_changed(case.pk, previous="normal", to="urgent", at=at + timedelta(minutes=1))
    case.refresh_from_db()
    assert case.sla_policy == "Default urgent"
    assert case.sla_next_due_at == utc(2026, 11, 2, 9, 5)
    assert case.sla_next_warn_at == utc(2026, 11, 2, 9, 4)


def test_cases_of_one_batch_each_get_their_own_due_times(generic_channel: Channel) -> None:
    # Same shape, different moments: the batch shares one computation, shifted per case.
    from careline.connectors.base import InboundItem
    from careline.ingestion.services import ingest_items

    at = utc(2026, 11, 2, 9, 0)
    items = [
        InboundItem(
            external_id=f"p{n}",
            author_id=f"u{n}",
            author_handle=f"@u{n}",
            author_name=f"U{n}",
            text="Where is my order?",
            created_at=at + timedelta(minutes=7 * n),
            public=True,
        )
        for n in range(3)
    ]
    with time_machine.travel(at + timedelta(minutes=20), tick=False):
        ingest_items(generic_channel, items)
    assert list(
        Conversation.objects.order_by("created_at").values_list(
            "sla_next_due_at", "sla_next_warn_at"
        )
    ) == [
        (utc(2026, 11, 2, 10, 0), utc(2026, 11, 2, 9, 48)),
        (utc(2026, 11, 2, 10, 7), utc(2026, 11, 2, 9, 55)),
        (utc(2026, 11, 2, 10, 14), utc(2026, 11, 2, 10, 2)),
    ]


def test_warning_and_breach_across_the_autumn_clock_change(
    generic_channel: Channel, supervisor: User
) -> None:
    from careline.cases.models import CaseEvent, EventKind
    from careline.sla.services import sweep_sla

    office_policy(supervisor, london_office())
    at = utc(2026, 10, 23, 15, 30)  # Friday 16:30 BST; Sunday the clocks go back
    with time_machine.travel(at, tick=False):
        case = post(generic_channel, "p1", at)
    # 30 minutes on Friday, then Monday from 09:00 GMT (= UTC): due 09:30, warning at 09:15.
    case.refresh_from_db()
    assert (case.sla_next_due_at, case.sla_next_warn_at) == (
        utc(2026, 10, 26, 9, 30),
        utc(2026, 10, 26, 9, 15),
    )
    for moment in (utc(2026, 10, 24, 12, 0), utc(2026, 10, 26, 9, 14)):
        with time_machine.travel(moment, tick=False):
            assert sweep_sla().checked == 0  # the weekend does not count
    with time_machine.travel(utc(2026, 10, 26, 9, 16), tick=False):
        assert sweep_sla().warnings == 1
    with time_machine.travel(utc(2026, 10, 26, 9, 31), tick=False):
        assert sweep_sla().breaches == 1
    events = CaseEvent.objects.filter(
        conversation=case, kind__in=[EventKind.SLA_WARNING, EventKind.SLA_BREACHED]
    ).order_by("id")
    assert [(e.kind, e.data["at"]) for e in events] == [
        ("sla_warning", "2026-10-26T09:15:00+00:00"),
        ("sla_breached", "2026-10-26T09:30:00+00:00"),
    ]
    case.refresh_from_db()
    assert case.sla_breached_at == utc(2026, 10, 26, 9, 30)


def test_a_channel_policy_beats_the_generic_one(generic_channel: Channel, supervisor: User) -> None:
    from careline.sla import services

    office_policy(supervisor, london_office())
    services.save_policy(
        name="Webhook normal",
        priority="normal",
        channel=generic_channel,
        first_response_minutes=20,
        next_response_minutes=40,
        resolution_minutes=600,
        hours=None,
        warn_before_fraction=0,
        ordering=50,
        actor=supervisor,
    )
    at = utc(2026, 11, 7, 12, 0)  # Saturday: the office is closed, this policy is 24/7
    with time_machine.travel(at, tick=False):
        case = post(generic_channel, "p1", at)
    assert (case.sla_policy, case.sla_next_due_at, case.sla_next_warn_at) == (
        "Webhook normal",
        utc(2026, 11, 7, 12, 20),
        utc(2026, 11, 7, 12, 20),
    )


def test_replies_through_the_outbox_count_only_when_a_person_sends_them(
    generic_channel: Channel, agent: User
) -> None:
    from careline.replies.services import queue_reply

    at = utc(2026, 11, 2, 9, 0)
    with time_machine.travel(at, tick=False):
        case = post(generic_channel, "p1", at)
    with time_machine.travel(at + timedelta(minutes=3), tick=False):
        queue_reply(case, text="We have escalated your case.", public=True, actor=None)
    case.refresh_from_db()
    assert (case.first_response_at, case.sla_next_due_at) == (None, utc(2026, 11, 2, 10, 0))
    with time_machine.travel(at + timedelta(minutes=7), tick=False):
        queue_reply(case, text="Sorry, it ships today.", public=True, actor=agent)
    case.refresh_from_db()
    assert (case.first_response_at, case.last_agent_reply_at, case.sla_next_due_at) == (
        utc(2026, 11, 2, 9, 7),
        utc(2026, 11, 2, 9, 7),
        utc(2026, 11, 3, 9, 0),
    )
