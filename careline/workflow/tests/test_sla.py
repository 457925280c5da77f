from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from careline.workflow.calendar import ALWAYS_OPEN, BusinessCalendar
from careline.workflow.sla import (
    DEFAULT_TARGETS,
    ClockName,
    Clocks,
    ClockState,
    Priority,
    SlaPolicy,
    SlaTargets,
    choose_policy,
    compute_clocks,
    default_policies,
    events_due,
    explain_policy_choice,
    urgency_key,
)

OFFICE = BusinessCalendar.office_hours("Europe/London")
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def policy(
    priority: Priority = Priority.NORMAL,
    calendar: BusinessCalendar = ALWAYS_OPEN,
    *,
    channel: str | None = None,
    name: str = "",
    warn: float = 0.2,
) -> SlaPolicy:
    return SlaPolicy(
        name=name or f"{priority.value} {channel or 'any'}",
        priority=priority,
        channel=channel,
        targets=DEFAULT_TARGETS[priority],
        calendar=calendar,
        warn_before_fraction=warn,
    )


NORMAL = policy()
T0 = utc(2026, 3, 2, 10)  # a Monday


# -- policies --------------------------------------------------------------------------------


def test_the_default_first_response_targets_follow_the_issue() -> None:
    first = {p: t.first_response for p, t in DEFAULT_TARGETS.items()}
    assert first == {
        Priority.URGENT: 5 * MIN,
        Priority.HIGH: 30 * MIN,
        Priority.NORMAL: 60 * MIN,
        Priority.LOW: 240 * MIN,
    }
    assert [(p.name, p.channel) for p in default_policies()] == [
        ("Default urgent", None),
        ("Default high", None),
        ("Default normal", None),
        ("Default low", None),
    ]


def test_a_channel_specific_policy_beats_the_generic_one() -> None:
    generic = policy(Priority.HIGH, name="High")
    on_x = policy(Priority.HIGH, channel="shop-x", name="High on X")
    choice = explain_policy_choice([generic, on_x], Priority.HIGH, "shop-x")
    assert choice.policy is on_x
    assert choice.reason == "policy 'High on X' is set for high cases on channel 'shop-x'"


def test_the_generic_policy_covers_other_channels() -> None:
    generic = policy(Priority.HIGH, name="High")
    on_x = policy(Priority.HIGH, channel="shop-x", name="High on X")
    choice = explain_policy_choice([on_x, generic], "high", "shop-facebook")
    assert choice.policy is generic
    assert choice.reason == (
        "policy 'High' covers high cases on every channel (no policy for channel 'shop-facebook')"
    )


def test_a_policy_for_another_priority_is_never_chosen() -> None:
    chosen = choose_policy([policy(Priority.LOW, channel="shop-x")], Priority.URGENT, "shop-x")
    assert chosen.name == "Default urgent"
    assert chosen.targets.first_response == 5 * MIN
    assert chosen.calendar is ALWAYS_OPEN


def test_without_any_policy_the_built_in_default_applies_on_the_fallback_calendar() -> None:
    choice = explain_policy_choice([], Priority.NORMAL, None, fallback_calendar=OFFICE)
    assert choice.policy.calendar is OFFICE
    assert choice.reason == (
        "no policy is configured for normal cases; the built-in default applies "
        "(1 h to first response)"
    )


def test_among_equal_policies_the_first_wins() -> None:
    first, second = policy(name="First"), policy(name="Second")
    assert choose_policy([first, second], Priority.NORMAL, "any") is first


def test_policies_and_targets_refuse_bad_values() -> None:
    with pytest.raises(ValueError, match="unknown priority"):
        choose_policy([], "critical", None)
    with pytest.raises(ValueError, match=r"targets\.next_response: must be a positive"):
        SlaTargets(MIN, timedelta(0), HOUR)
    with pytest.raises(ValueError, match="warn_before_fraction"):
        policy(warn=1.0)


# -- first response --------------------------------------------------------------------------


def test_a_new_case_has_a_running_first_response_clock() -> None:
    clock = compute_clocks(NORMAL, created_at=T0, now=T0 + 20 * MIN).first_response
    assert clock.state is ClockState.RUNNING
    assert clock.due_at == utc(2026, 3, 2, 11)
    assert clock.warn_at == utc(2026, 3, 2, 10, 48)
    assert clock.remaining == 40 * MIN
    assert not clock.in_warning
    assert clock.reason == "First response due 2026-03-02 11:00 UTC: 40 min of business time left"


def test_the_clock_is_in_warning_in_the_last_fifth_of_its_target() -> None:
    clock = compute_clocks(NORMAL, created_at=T0, now=T0 + 50 * MIN).first_response
    assert clock.state is ClockState.RUNNING
    assert clock.in_warning
    assert clock.reason.endswith("10 min of business time left (warning)")


def test_a_reply_in_time_meets_the_first_response_target() -> None:
    clocks = compute_clocks(
        NORMAL, created_at=T0, first_response_at=T0 + 45 * MIN, now=T0 + 2 * HOUR
    )
    clock = clocks.first_response
    assert clock.state is ClockState.MET
    assert clock.stopped_at == T0 + 45 * MIN
    assert clock.remaining == 15 * MIN
    assert clock.reason == (
        "First response met: answered at 2026-03-02 10:45 UTC, 15 min of business time before "
        "the due time 2026-03-02 11:00 UTC"
    )
    assert clocks.breached == ()


def test_an_unanswered_case_past_its_due_time_is_breached() -> None:
    clocks = compute_clocks(NORMAL, created_at=T0, now=T0 + 65 * MIN)
    clock = clocks.first_response
    assert clock.state is ClockState.BREACHED
    assert clock.stopped_at is None
    assert clock.remaining == -5 * MIN
    assert clock.reason == (
        "First response breached: due 2026-03-02 11:00 UTC, not done yet, 5 min of business "
        "time overdue"
    )
    assert clocks.breached == ("first_response",)
    assert clocks.overdue == ("first_response",)


def test_a_late_reply_leaves_the_clock_breached_and_stopped() -> None:
    clocks = compute_clocks(
        NORMAL, created_at=T0, first_response_at=T0 + 70 * MIN, now=T0 + 2 * HOUR
    )
    clock = clocks.first_response
    assert clock.state is ClockState.BREACHED
    assert clock.stopped_at == T0 + 70 * MIN
    assert clock.remaining == -10 * MIN
    assert clocks.breached == ("first_response",)
    assert clocks.overdue == ()


def test_a_reply_exactly_at_the_due_time_meets_the_target() -> None:
    clock = compute_clocks(
        NORMAL, created_at=T0, first_response_at=T0 + HOUR, now=T0 + 2 * HOUR
    ).first_response
    assert clock.state is ClockState.MET
    assert clock.remaining == timedelta(0)


def test_resolving_without_a_reply_stops_the_first_response_clock() -> None:
    clock = compute_clocks(
        NORMAL, created_at=T0, resolved_at=T0 + 30 * MIN, now=T0 + 2 * HOUR
    ).first_response
    assert clock.state is ClockState.MET
    assert clock.reason.startswith("First response met: resolved at 2026-03-02 10:30 UTC")


def test_first_response_counts_business_hours_only() -> None:
    urgent = policy(Priority.URGENT, OFFICE)
    # Friday 16:58 GMT: two minutes on Friday, three on Monday from 09:00 BST (08:00 UTC).
    clock = compute_clocks(
        urgent, created_at=utc(2026, 3, 27, 16, 58), now=utc(2026, 3, 28, 12)
    ).first_response
    assert clock.due_at == utc(2026, 3, 30, 8, 3)
    assert clock.warn_at == utc(2026, 3, 30, 8, 2)
    assert clock.remaining == 3 * MIN


def test_first_response_skips_holidays() -> None:
    easter = BusinessCalendar.office_hours(
        "Europe/London", holidays={date(2026, 4, 3), date(2026, 4, 6)}
    )
    # Thursday 16:45 BST: 15 minutes that day, 15 more on Tuesday from 09:00 BST.
    clock = compute_clocks(
        policy(Priority.HIGH, easter), created_at=utc(2026, 4, 2, 15, 45), now=utc(2026, 4, 4)
    ).first_response
    assert clock.due_at == utc(2026, 4, 7, 8, 15)
    assert clock.state is ClockState.RUNNING
    assert clock.remaining == 15 * MIN


# -- next response ---------------------------------------------------------------------------


def test_there_is_no_next_response_clock_before_the_first_reply() -> None:
    clocks = compute_clocks(
        NORMAL, created_at=T0, last_customer_message_at=T0 + 10 * MIN, now=T0 + 20 * MIN
    )
    assert clocks.next_response is None


def test_a_customer_follow_up_starts_the_next_response_clock() -> None:
    clock = compute_clocks(
        NORMAL,
        created_at=T0,
        first_response_at=T0 + 30 * MIN,
        last_agent_reply_at=T0 + 30 * MIN,
        last_customer_message_at=T0 + 40 * MIN,
        now=T0 + HOUR,
    ).next_response
    assert clock is not None
    assert clock.state is ClockState.RUNNING
    assert clock.started_at == T0 + 40 * MIN
    assert clock.due_at == utc(2026, 3, 2, 12, 40)
    assert clock.remaining == 100 * MIN


def test_the_agent_answer_meets_the_next_response_target() -> None:
    clock = compute_clocks(
        NORMAL,
        created_at=T0,
        first_response_at=T0 + 30 * MIN,
        last_customer_message_at=T0 + 40 * MIN,
        last_agent_reply_at=T0 + 90 * MIN,
        now=T0 + 3 * HOUR,
    ).next_response
    assert clock is not None
    assert clock.state is ClockState.MET
    assert clock.stopped_at == T0 + 90 * MIN
    assert clock.remaining == 70 * MIN


def test_waiting_since_counts_from_the_oldest_unanswered_message() -> None:
    clock = compute_clocks(
        NORMAL,
        created_at=T0,
        first_response_at=T0 + 30 * MIN,
        last_agent_reply_at=T0 + 30 * MIN,
        customer_waiting_since=T0 + 40 * MIN,
        last_customer_message_at=T0 + 80 * MIN,
        now=T0 + 3 * HOUR,
    ).next_response
    assert clock is not None
    assert clock.state is ClockState.BREACHED
    assert clock.due_at == utc(2026, 3, 2, 12, 40)
    assert clock.remaining == -20 * MIN


# -- resolution and pauses -------------------------------------------------------------------


def test_a_closed_pause_pushes_the_resolution_due_time_back_by_its_length() -> None:
    clock = compute_clocks(
        NORMAL,
        created_at=T0,
        paused_intervals=[(T0 + 2 * HOUR, T0 + 4 * HOUR)],
        now=T0 + 5 * HOUR,
    ).resolution
    assert clock.state is ClockState.RUNNING
    assert clock.due_at == utc(2026, 3, 3, 12)
    assert clock.paused == 2 * HOUR
    assert clock.remaining == 21 * HOUR


def test_an_open_pause_holds_the_resolution_clock() -> None:
    clock = compute_clocks(
        NORMAL, created_at=T0, paused_intervals=[(T0 + 2 * HOUR, None)], now=T0 + 3 * HOUR
    ).resolution
    assert clock.state is ClockState.PAUSED
    assert clock.due_at is None
    assert clock.remaining == 22 * HOUR
    assert clock.paused == HOUR
    assert clock.reason == (
        "Resolution paused since 2026-03-02 12:00 UTC while waiting on the customer; 22 h of "
        "business time left"
    )


def test_a_pause_does_not_move_the_reply_clocks() -> None:
    clocks = compute_clocks(
        NORMAL, created_at=T0, paused_intervals=[(T0 + 10 * MIN, None)], now=T0 + 20 * MIN
    )
    assert clocks.first_response.state is ClockState.RUNNING
    assert clocks.first_response.due_at == utc(2026, 3, 2, 11)


def test_pausing_after_the_due_time_does_not_undo_a_breach() -> None:
    urgent = policy(Priority.URGENT)
    clock = compute_clocks(
        urgent, created_at=T0, paused_intervals=[(T0 + 5 * HOUR, None)], now=T0 + 6 * HOUR
    ).resolution
    assert clock.state is ClockState.BREACHED
    assert clock.due_at == utc(2026, 3, 2, 14)
    # Time spent paused after the breach does not count as more lateness.
    assert clock.remaining == -HOUR


def test_only_the_business_time_of_a_pause_shifts_the_due_time() -> None:
    urgent = policy(Priority.URGENT, OFFICE)  # 4 business hours to resolve
    clock = compute_clocks(
        urgent,
        created_at=utc(2026, 3, 2, 9),
        # Waiting on the customer from Monday 12:00 to Tuesday 10:00: 5 h + 1 h of business.
        paused_intervals=[(utc(2026, 3, 2, 12), utc(2026, 3, 3, 10))],
        now=utc(2026, 3, 3, 10, 30),
    ).resolution
    assert clock.due_at == utc(2026, 3, 3, 11)
    assert clock.paused == 6 * HOUR
    assert clock.remaining == 30 * MIN


def test_a_pause_that_ends_after_now_still_holds_the_clock() -> None:
    clock = compute_clocks(
        NORMAL, created_at=T0, paused_intervals=[(T0 + HOUR, T0 + 9 * HOUR)], now=T0 + 2 * HOUR
    ).resolution
    assert clock.state is ClockState.PAUSED
    assert clock.remaining == 23 * HOUR


def test_overlapping_and_out_of_order_pauses_count_once() -> None:
    clock = compute_clocks(
        NORMAL,
        created_at=T0,
        paused_intervals=[
            (T0 + 3 * HOUR, T0 + 4 * HOUR),
            (T0 + 2 * HOUR, T0 + 3 * HOUR + 30 * MIN),
        ],
        now=T0 + 5 * HOUR,
    ).resolution
    assert clock.paused == 2 * HOUR
    assert clock.due_at == utc(2026, 3, 3, 12)


def test_resolving_while_paused_meets_the_resolution_target() -> None:
    clock = compute_clocks(
        NORMAL,
        created_at=T0,
        paused_intervals=[(T0 + 2 * HOUR, None)],
        resolved_at=T0 + 30 * HOUR,
        now=T0 + 31 * HOUR,
    ).resolution
    assert clock.state is ClockState.MET
    assert clock.stopped_at == T0 + 30 * HOUR
    assert clock.paused == 28 * HOUR


def test_a_late_resolution_is_breached() -> None:
    clock = compute_clocks(
        NORMAL, created_at=T0, resolved_at=T0 + 25 * HOUR, now=T0 + 26 * HOUR
    ).resolution
    assert clock.state is ClockState.BREACHED
    assert clock.remaining == -HOUR


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="created_at must be timezone-aware"):
        compute_clocks(NORMAL, created_at=datetime(2026, 3, 2), now=T0)


# -- events ----------------------------------------------------------------------------------


def test_a_warning_is_emitted_once() -> None:
    now = T0 + 50 * MIN
    clocks = compute_clocks(NORMAL, created_at=T0, now=now)
    events = events_due(clocks, now, set())
    # Resolution (24 h) is not near its warning; first response is.
    assert [(e.kind, e.clock, e.at) for e in events] == [
        ("warning", ClockName.FIRST_RESPONSE, utc(2026, 3, 2, 10, 48))
    ]
    assert events[0].key == "first_response@2026-03-02T10:00:00+00:00:warning"
    assert events[0].reason == (
        "First response due 2026-03-02 11:00 UTC: warning from 2026-03-02 10:48 UTC, 10 min of "
        "business time left at 2026-03-02 10:50 UTC [normal any]"
    )
    assert events_due(clocks, now, {events[0].key}) == []


def test_a_breach_is_emitted_once_at_its_due_time() -> None:
    now = T0 + 70 * MIN
    clocks = compute_clocks(NORMAL, created_at=T0, now=now)
    emitted = {"first_response@2026-03-02T10:00:00+00:00:warning"}
    events = events_due(clocks, now, emitted)
    assert [(e.kind, e.clock, e.at) for e in events] == [
        ("breach", ClockName.FIRST_RESPONSE, utc(2026, 3, 2, 11))
    ]
    emitted.add(events[0].key)
    later = compute_clocks(NORMAL, created_at=T0, now=now + HOUR)
    assert events_due(later, now + HOUR, emitted) == []


def test_a_sweep_that_runs_after_the_breach_records_only_the_breach() -> None:
    now = T0 + 70 * MIN
    events = events_due(compute_clocks(NORMAL, created_at=T0, now=now), now, set())
    assert [e.kind for e in events] == ["breach"]


def test_a_late_reply_still_records_the_breach() -> None:
    now = T0 + 2 * HOUR
    clocks = compute_clocks(NORMAL, created_at=T0, first_response_at=T0 + 61 * MIN, now=now)
    events = events_due(clocks, now, set())
    assert [(e.kind, e.clock) for e in events] == [("breach", ClockName.FIRST_RESPONSE)]
    assert events[0].reason.startswith(
        "First response breached: answered at 2026-03-02 11:01 UTC, 1 min of business time"
    )


def test_met_and_paused_clocks_emit_nothing() -> None:
    now = T0 + 23 * HOUR
    clocks = compute_clocks(
        NORMAL,
        created_at=T0,
        first_response_at=T0 + 10 * MIN,
        paused_intervals=[(T0 + HOUR, None)],
        now=now,
    )
    assert events_due(clocks, now, set()) == []


def test_stale_clocks_still_emit_a_breach_that_happened_by_now() -> None:
    clocks = compute_clocks(NORMAL, created_at=T0, now=T0 + 50 * MIN)
    events = events_due(clocks, T0 + 61 * MIN, set())
    assert [e.kind for e in events] == ["breach"]


def test_each_next_response_cycle_has_its_own_events() -> None:
    def breach_keys(customer_at: datetime, now: datetime) -> list[str]:
        clocks = compute_clocks(
            NORMAL,
            created_at=T0,
            first_response_at=T0 + 5 * MIN,
            last_agent_reply_at=T0 + 5 * MIN,
            last_customer_message_at=customer_at,
            now=now,
        )
        return [e.key for e in events_due(clocks, now, set()) if e.kind == "breach"]

    assert breach_keys(T0 + 10 * MIN, T0 + 3 * HOUR) == [
        "next_response@2026-03-02T10:10:00+00:00:breach"
    ]
    assert breach_keys(T0 + 20 * MIN, T0 + 3 * HOUR) == [
        "next_response@2026-03-02T10:20:00+00:00:breach"
    ]


# -- ordering --------------------------------------------------------------------------------


def test_most_urgent_first_puts_breaches_first_by_lateness_then_the_nearest_due() -> None:
    now = T0 + 3 * HOUR
    urgent, low = policy(Priority.URGENT), policy(Priority.LOW)
    cases: dict[str, Clocks] = {
        "due soon": compute_clocks(urgent, created_at=now - 2 * MIN, now=now),
        "very late": compute_clocks(NORMAL, created_at=T0, now=now),
        "due later": compute_clocks(low, created_at=now - HOUR, now=now),
        "waiting on customer": compute_clocks(
            NORMAL,
            created_at=T0,
            first_response_at=T0 + MIN,
            paused_intervals=[(T0 + 2 * MIN, None)],
            now=now,
        ),
        "resolved": compute_clocks(NORMAL, created_at=T0, resolved_at=T0 + HOUR, now=now),
        "a bit late": compute_clocks(NORMAL, created_at=T0 + HOUR, now=now),
    }
    order = sorted(cases, key=lambda name: urgency_key(cases[name], now))
    assert order == [
        "very late",
        "a bit late",
        "due soon",
        "due later",
        "waiting on customer",
        "resolved",
    ]
    assert urgency_key(cases["very late"], now) == (
        0,
        utc(2026, 3, 2, 11).timestamp(),
        T0.timestamp(),
    )


def test_cases_due_at_the_same_time_are_ordered_oldest_first() -> None:
    now = T0 + 10 * MIN
    urgent = policy(Priority.URGENT)
    newer = compute_clocks(urgent, created_at=T0 + 55 * MIN, now=now)
    older = compute_clocks(NORMAL, created_at=T0, now=now)
    assert newer.next_due_at == older.next_due_at == utc(2026, 3, 2, 11)
    assert sorted([newer, older], key=lambda c: urgency_key(c, now)) == [older, newer]


def test_next_due_at_is_the_earliest_due_time_of_an_active_clock() -> None:
    clocks = compute_clocks(
        NORMAL, created_at=T0, first_response_at=T0 + 10 * MIN, now=T0 + 20 * MIN
    )
    assert clocks.next_due_at == utc(2026, 3, 3, 10)
    assert clocks.next_warn_at == utc(2026, 3, 3, 5, 12)
