"""SLA policies and clocks: which targets apply, when each clock is due, and what to alert. Pure.

Three clocks run on a case (docs/sla.md):

- ``first_response`` from creation until the first agent reply;
- ``next_response`` from a customer message that follows an agent reply until the next one;
- ``resolution`` from creation until the case is resolved; the only clock that pauses while
  the team waits on the customer, so a pause can never be used to dodge a reply target.

Targets are business time on the policy's calendar. Resolving a case stops every clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from careline.workflow.calendar import ALWAYS_OPEN, BusinessCalendar, as_utc


class Priority(StrEnum):
    """Same values as the case's priority field."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class ClockName(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"


PAUSABLE_CLOCKS = frozenset({ClockName.RESOLUTION})
_LABELS = {
    ClockName.FIRST_RESPONSE: "First response",
    ClockName.NEXT_RESPONSE: "Next response",
    ClockName.RESOLUTION: "Resolution",
}


@dataclass(frozen=True)
class SlaTargets:
    """Business time allowed for each clock; each must be positive."""

    first_response: timedelta
    next_response: timedelta
    resolution: timedelta

    def __post_init__(self) -> None:
        for name in ClockName:
            if self.for_clock(name) <= timedelta(0):
                raise ValueError(f"targets.{name}: must be a positive duration")

    def for_clock(self, name: ClockName | str) -> timedelta:
        target: timedelta = getattr(self, ClockName(name).value)
        return target


def _minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


# First response per the issue; next response is a third to a half of it (a customer already
# in a conversation should not wait as long as a new one); resolution is one business shift
# for urgent, a working day for high, three for normal, a week for low (8-hour days).
DEFAULT_TARGETS: dict[Priority, SlaTargets] = {
    Priority.URGENT: SlaTargets(_minutes(5), _minutes(15), _minutes(4 * 60)),
    Priority.HIGH: SlaTargets(_minutes(30), _minutes(60), _minutes(8 * 60)),
    Priority.NORMAL: SlaTargets(_minutes(60), _minutes(120), _minutes(24 * 60)),
    Priority.LOW: SlaTargets(_minutes(240), _minutes(480), _minutes(40 * 60)),
}


@dataclass(frozen=True)
class SlaPolicy:
    """Targets for one priority, on one channel or (``channel=None``) on every channel.

    ``channel`` is an opaque key chosen by the caller (we suggest the channel's slug).
    ``warn_before_fraction`` is the share of each target left when the warning fires (0.2 on a
    60-minute target warns 12 business minutes before the due time; 0 disables warnings).
    """

    name: str
    priority: Priority
    channel: str | None
    targets: SlaTargets
    calendar: BusinessCalendar = ALWAYS_OPEN
    warn_before_fraction: float = 0.2

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "priority", Priority(self.priority))
        except ValueError as exc:
            raise ValueError(f"priority: unknown priority {self.priority!r}") from exc
        if not 0 <= self.warn_before_fraction < 1:
            raise ValueError("warn_before_fraction: must be at least 0 and below 1")
        if self.channel == "":
            raise ValueError("channel: use None for a policy that covers every channel")


def default_policies(calendar: BusinessCalendar = ALWAYS_OPEN) -> list[SlaPolicy]:
    """One generic policy per priority with ``DEFAULT_TARGETS`` (24/7 unless told)."""
    return [
        SlaPolicy(name=f"Default {p.value}", priority=p, channel=None, targets=t, calendar=calendar)
        for p, t in DEFAULT_TARGETS.items()
    ]


@dataclass(frozen=True)
class PolicyChoice:
    policy: SlaPolicy
    reason: str


def explain_policy_choice(
    policies: Iterable[SlaPolicy],
    priority: Priority | str,
    channel: str | None,
    *,
    fallback_calendar: BusinessCalendar = ALWAYS_OPEN,
) -> PolicyChoice:
    """Pick the policy for a case and say why.

    A policy for this priority and channel beats a generic one for this priority; among equals
    the first in ``policies`` wins. Without either, the built-in default for the priority
    applies on ``fallback_calendar`` (24/7: a missing policy must never stop a clock).
    Raises ValueError for an unknown priority.
    """
    try:
        wanted = Priority(priority)
    except ValueError:
        raise ValueError(
            f"unknown priority {priority!r}; use one of {', '.join(Priority)}"
        ) from None
    generic: SlaPolicy | None = None
    for policy in policies:
        if policy.priority != wanted:
            continue
        if channel is not None and policy.channel == channel:
            return PolicyChoice(
                policy, f"policy '{policy.name}' is set for {wanted} cases on channel '{channel}'"
            )
        if policy.channel is None and generic is None:
            generic = policy
    if generic is not None:
        where = f"no policy for channel '{channel}'" if channel else "no channel given"
        return PolicyChoice(
            generic, f"policy '{generic.name}' covers {wanted} cases on every channel ({where})"
        )
    default = SlaPolicy(
        name=f"Default {wanted.value}",
        priority=wanted,
        channel=None,
        targets=DEFAULT_TARGETS[wanted],
        calendar=fallback_calendar,
    )
    return PolicyChoice(
        default,
        f"no policy is configured for {wanted} cases; the built-in default applies "
        f"({_human(default.targets.first_response)} to first response)",
    )


def choose_policy(
    policies: Iterable[SlaPolicy],
    priority: Priority | str,
    channel: str | None,
    *,
    fallback_calendar: BusinessCalendar = ALWAYS_OPEN,
) -> SlaPolicy:
    """``explain_policy_choice(...).policy``."""
    return explain_policy_choice(
        policies, priority, channel, fallback_calendar=fallback_calendar
    ).policy


@dataclass(frozen=True)
class Clock:
    """One clock at ``Clocks.now``.

    ``due_at`` is None only while paused (it moves when the pause ends). ``remaining`` is
    business time left, at ``stopped_at`` for a stopped clock; negative means overdue by that
    much (business time, pauses excluded). ``stopped_at`` is set when the reply or resolution
    that ends the clock happened, so a breached clock with ``stopped_at`` was answered late
    and one without is still overdue. ``paused`` is the business time spent paused.
    """

    name: ClockName
    state: ClockState
    started_at: datetime
    target: timedelta
    due_at: datetime | None
    warn_at: datetime | None
    remaining: timedelta
    stopped_at: datetime | None = None
    paused: timedelta = timedelta(0)
    in_warning: bool = False
    reason: str = ""

    @property
    def key(self) -> str:
        """Identifies this clock cycle (a new customer message starts a new next-response
        cycle)."""
        return f"{self.name}@{self.started_at.isoformat()}"

    @property
    def active(self) -> bool:
        """Still counting towards (or past) its due time: not stopped."""
        return self.stopped_at is None


@dataclass(frozen=True)
class Clocks:
    """Every clock of a case; ``next_response`` is None when no customer message awaits a
    follow-up reply (or before the first response, which ``first_response`` covers)."""

    policy: str
    now: datetime
    first_response: Clock
    resolution: Clock
    next_response: Clock | None = None

    def all(self) -> list[Clock]:
        clocks = [self.first_response]
        if self.next_response is not None:
            clocks.append(self.next_response)
        clocks.append(self.resolution)
        return clocks

    @property
    def breached(self) -> tuple[str, ...]:
        """Names of the clocks that are breached (overdue, or stopped late)."""
        return tuple(c.name.value for c in self.all() if c.state is ClockState.BREACHED)

    @property
    def overdue(self) -> tuple[str, ...]:
        """Names of the clocks past due and still not done: what escalation facts want
        (``breached`` also lists clocks that were met late and are over)."""
        return tuple(
            c.name.value for c in self.all() if c.state is ClockState.BREACHED and c.active
        )

    @property
    def next_due_at(self) -> datetime | None:
        """The earliest due time among active clocks (past when breached): store this on the
        conversation and order the inbox by it, nulls last (see ``urgency_key``)."""
        dues = [c.due_at for c in self.all() if c.active and c.due_at is not None]
        return min(dues, default=None)

    @property
    def next_warn_at(self) -> datetime | None:
        """When the next warning is due among running clocks not yet in warning."""
        warns = [
            c.warn_at
            for c in self.all()
            if c.state is ClockState.RUNNING and c.warn_at is not None and c.warn_at > self.now
        ]
        return min(warns, default=None)


Pause = tuple[datetime, datetime | None]


def compute_clocks(
    policy: SlaPolicy,
    *,
    created_at: datetime,
    now: datetime,
    first_response_at: datetime | None = None,
    last_customer_message_at: datetime | None = None,
    last_agent_reply_at: datetime | None = None,
    paused_intervals: Sequence[Pause] = (),
    resolved_at: datetime | None = None,
    customer_waiting_since: datetime | None = None,
) -> Clocks:
    """Compute every clock of a case at ``now``.

    ``paused_intervals`` are the spans spent waiting on the customer (``end=None``: still
    waiting); they pause the resolution clock only and shift its due time by the business time
    paused. Pass a resolved-then-reopened span as a pause too. ``customer_waiting_since`` is the
    first customer message after the agent's previous reply, the strict start of the
    next-response clock; it defaults to ``last_customer_message_at`` (lenient: counts from the
    newest message). Resolving stops every clock. Raises ValueError for a naive datetime.
    """
    now = as_utc(now, "now")
    created = as_utc(created_at, "created_at")
    first = _opt_utc(first_response_at, "first_response_at")
    customer = _opt_utc(last_customer_message_at, "last_customer_message_at")
    agent = _opt_utc(last_agent_reply_at, "last_agent_reply_at")
    resolved = _opt_utc(resolved_at, "resolved_at")
    waiting = _opt_utc(customer_waiting_since, "customer_waiting_since") or customer
    pauses = [
        (as_utc(s, f"paused_intervals[{i}].start"), _opt_utc(e, f"paused_intervals[{i}].end"))
        for i, (s, e) in enumerate(paused_intervals)
    ]

    first_stop, first_how = (first, "answered") if first is not None else (resolved, "resolved")
    first_clock = _clock(policy, ClockName.FIRST_RESPONSE, created, first_stop, first_how, (), now)

    next_clock = None
    if first is not None and waiting is not None and waiting > first:
        if agent is not None and agent >= waiting:
            stop, how = agent, "answered"
        elif resolved is not None and resolved >= waiting:
            stop, how = resolved, "resolved"
        else:
            stop, how = None, ""
        next_clock = _clock(policy, ClockName.NEXT_RESPONSE, waiting, stop, how, (), now)

    resolution_clock = _clock(
        policy, ClockName.RESOLUTION, created, resolved, "resolved", pauses, now
    )
    return Clocks(
        policy=policy.name,
        now=now,
        first_response=first_clock,
        next_response=next_clock,
        resolution=resolution_clock,
    )


@dataclass(frozen=True)
class ClockEvent:
    """A warning or breach to record once. ``at`` is when it happened (the warn or due
    time), not when the sweeper noticed; ``key`` is what the caller stores to stay
    idempotent."""

    kind: Literal["warning", "breach"]
    clock: ClockName
    at: datetime
    reason: str
    key: str


def events_due(clocks: Clocks, now: datetime, already_emitted: Collection[str]) -> list[ClockEvent]:
    """Warnings and breaches that have happened by ``now`` and are not in ``already_emitted``.

    At most one warning and one breach per clock cycle (``Clock.key``), however often this
    runs. A breach also fires for a clock stopped late, so a sweep that runs after the late
    reply still records it; a warning only fires while a clock runs, and not once its breach
    is due (a late sweep records the breach alone). Paused and met clocks emit nothing.
    Events are ordered by ``at``.
    """
    now = as_utc(now, "now")
    events: list[ClockEvent] = []
    for clock in clocks.all():
        label = _LABELS[clock.name]
        if clock.due_at is None:
            continue
        if clock.state is ClockState.BREACHED or (
            clock.state is ClockState.RUNNING and now > clock.due_at
        ):
            key = f"{clock.key}:breach"
            if key in already_emitted:
                continue
            if clock.state is ClockState.BREACHED:
                reason = clock.reason
            else:
                reason = f"{label} breached: due {_fmt(clock.due_at)}, not done by {_fmt(now)}"
            events.append(
                ClockEvent("breach", clock.name, clock.due_at, f"{reason} [{clocks.policy}]", key)
            )
        elif (
            clock.state is ClockState.RUNNING and clock.warn_at is not None and now >= clock.warn_at
        ):
            key = f"{clock.key}:warning"
            if key in already_emitted:
                continue
            reason = (
                f"{label} due {_fmt(clock.due_at)}: warning from {_fmt(clock.warn_at)}, "
                f"{_human(clock.remaining)} of business time left at {_fmt(clocks.now)}"
            )
            events.append(
                ClockEvent("warning", clock.name, clock.warn_at, f"{reason} [{clocks.policy}]", key)
            )
    return sorted(events, key=lambda e: (e.at, e.kind))


def urgency_key(clocks: Clocks, now: datetime) -> tuple[int, float, float]:
    """Sort key for "most urgent first" (ascending).

    Group 0: overdue (an active clock's due time has passed), most overdue first; group 1:
    running, nearest due first; group 2: paused; group 3: nothing counting (all stopped).
    Ties go to the older case. Within groups 0 and 1 this is ordering by the earliest due time,
    so a stored ``next_due_at`` ordered ascending with nulls last, then by creation, gives the
    same order in SQL.
    """
    now = as_utc(now, "now")
    created = clocks.first_response.started_at.timestamp()
    due = clocks.next_due_at
    if due is not None:
        return (0 if due < now else 1, due.timestamp(), created)
    if any(c.state is ClockState.PAUSED for c in clocks.all()):
        return (2, 0.0, created)
    return (3, 0.0, created)


# -- internals -------------------------------------------------------------------------------


def _opt_utc(value: datetime | None, name: str) -> datetime | None:
    return None if value is None else as_utc(value, name)


@dataclass(frozen=True)
class _Walk:
    due: datetime | None  # None: an open pause holds the clock before the budget is spent
    left_when_paused: timedelta = timedelta(0)
    paused: timedelta = timedelta(0)
    paused_since: datetime | None = None


def _clip_pauses(pauses: Sequence[Pause], start: datetime, end: datetime) -> list[Pause]:
    """Clip to [start, end], drop empty ones, merge overlaps. A pause still running at
    ``end`` comes back open (end None); the caller closes it when the clock has stopped."""
    clipped: list[tuple[datetime, datetime | None]] = []
    for s, e in sorted(pauses, key=lambda p: p[0]):
        s = max(s, start)
        if s >= end:
            continue
        if e is not None and e > end:
            e = None
        if e is not None and e <= s:
            continue
        if clipped:
            ps, pe = clipped[-1]
            if pe is None:
                continue
            if s <= pe:
                clipped[-1] = (ps, None if e is None else max(pe, e))
                continue
        clipped.append((s, e))
    return clipped


def _walk(cal: BusinessCalendar, start: datetime, budget: timedelta, pauses: list[Pause]) -> _Walk:
    """When ``budget`` of business time has run from ``start``, skipping ``pauses``."""
    cursor, remaining, paused = start, budget, timedelta(0)
    for p_start, p_end in pauses:
        candidate = cal.add_business_time(cursor, remaining)
        if candidate <= p_start:
            return _Walk(candidate, paused=paused)
        remaining -= cal.business_time_between(cursor, p_start)
        if p_end is None:
            return _Walk(None, left_when_paused=remaining, paused=paused, paused_since=p_start)
        paused += cal.business_time_between(p_start, p_end)
        cursor = p_end
    return _Walk(cal.add_business_time(cursor, remaining), paused=paused)


def _paused_between(
    cal: BusinessCalendar, pauses: list[Pause], a: datetime, b: datetime
) -> timedelta:
    total = timedelta(0)
    for s, e in pauses:
        end = b if e is None else min(e, b)
        if end > max(s, a):
            total += cal.business_time_between(max(s, a), end)
    return total


def _clock(
    policy: SlaPolicy,
    name: ClockName,
    start: datetime,
    stop: datetime | None,
    how: str,
    pauses: Sequence[Pause],
    now: datetime,
) -> Clock:
    cal = policy.calendar
    target = policy.targets.for_clock(name)
    label = _LABELS[name]
    ref = stop if stop is not None else max(now, start)
    clipped = _clip_pauses(pauses, start, ref) if name in PAUSABLE_CLOCKS else []
    if stop is not None:
        # A pause still open when the clock stopped ended with it.
        clipped = [(s, stop if e is None else e) for s, e in clipped]
    walk = _walk(cal, start, target, clipped)
    warn_at = None
    if policy.warn_before_fraction > 0:
        warn_at = _walk(cal, start, target * (1 - policy.warn_before_fraction), clipped).due

    if walk.due is None:
        since = walk.paused_since or start
        return Clock(
            name=name,
            state=ClockState.PAUSED,
            started_at=start,
            target=target,
            due_at=None,
            warn_at=warn_at,
            remaining=walk.left_when_paused,
            paused=walk.paused + cal.business_time_between(since, ref),
            reason=(
                f"{label} paused since {_fmt(since)} while waiting on the customer; "
                f"{_human(walk.left_when_paused)} of business time left"
            ),
        )

    due = walk.due
    if ref <= due:
        remaining = cal.business_time_between(ref, due)
    else:
        remaining = -(cal.business_time_between(due, ref) - _paused_between(cal, clipped, due, ref))
    paused = _paused_between(cal, clipped, start, ref)
    breached = ref > due
    if stop is not None:
        state = ClockState.BREACHED if breached else ClockState.MET
        if breached:
            reason = (
                f"{label} breached: {how} at {_fmt(stop)}, {_human(-remaining)} of business "
                f"time after the due time {_fmt(due)}"
            )
        else:
            reason = (
                f"{label} met: {how} at {_fmt(stop)}, {_human(remaining)} of business time "
                f"before the due time {_fmt(due)}"
            )
    elif breached:
        state = ClockState.BREACHED
        reason = (
            f"{label} breached: due {_fmt(due)}, not done yet, {_human(-remaining)} of "
            "business time overdue"
        )
    else:
        state = ClockState.RUNNING
        reason = f"{label} due {_fmt(due)}: {_human(remaining)} of business time left"
    in_warning = state is ClockState.RUNNING and warn_at is not None and now >= warn_at
    if in_warning:
        reason += " (warning)"
    return Clock(
        name=name,
        state=state,
        started_at=start,
        target=target,
        due_at=due,
        warn_at=warn_at,
        remaining=remaining,
        stopped_at=stop,
        paused=paused,
        in_warning=in_warning,
        reason=reason,
    )


def _fmt(value: datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")


def _human(value: timedelta) -> str:
    """'5 min', '1 h 30 min', '2 h', '45 s'; rounded down to the minute above one minute."""
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{max(seconds, 0)} s"
    hours, minutes = divmod(seconds // 60, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


__all__ = [
    "DEFAULT_TARGETS",
    "PAUSABLE_CLOCKS",
    "PRIORITY_RANK",
    "Clock",
    "ClockEvent",
    "ClockName",
    "ClockState",
    "Clocks",
    "PolicyChoice",
    "Priority",
    "SlaPolicy",
    "SlaTargets",
    "choose_policy",
    "compute_clocks",
    "default_policies",
    "events_due",
    "explain_policy_choice",
    "urgency_key",
]
