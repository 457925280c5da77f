"""The write path for SLA clocks and settings (docs/sla.md, "SLA clocks in the product").

- ``refresh_sla``: recompute the clocks of cases and store the facts and due times on them;
  called by ``careline.cases.hooks`` after every change that moves a clock.
- ``record_agent_reply``, ``record_status_change``: the hooks' reactions.
- ``sweep_sla``: record each warning and breach once (``CaseEvent``), tell the escalation hook.
- ``save_business_hours``, ``save_policy``, ``delete_policy``: the supervisor's settings.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from careline.accounts.models import User
from careline.cases import hooks as cases_hooks
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.workflow import OPEN_STATUSES, Status
from careline.inbox.models import Channel, Direction, Message
from careline.ingestion import bulk
from careline.sla.models import BusinessHours, PauseCause, SlaPause, SlaPolicyRow, SlaSweepMark
from careline.sla.selectors import (
    CaseTimes,
    chunks,
    compute_case_clocks,
    load_case_times,
    load_policies,
    stop_time,
    stored_times,
)
from careline.workflow.calendar import BusinessCalendar, CalendarError
from careline.workflow.sla import (
    Clocks,
    ClockState,
    SlaPolicy,
    choose_policy,
    events_due,
)

log = logging.getLogger(__name__)

_INSTANT = timedelta(microseconds=1)
SWEEP_LIMIT = 500  # cases per sweep run: a backlog is worked off over several runs
_UPDATED = ("sla_policy", "customer_waiting_since", "sla_next_due_at", "sla_next_warn_at")


# -- clocks ----------------------------------------------------------------------------------


def refresh_sla(
    conversation_ids: Sequence[int],
    *,
    now: datetime | None = None,
    policies: Sequence[SlaPolicy] | None = None,
) -> dict[int, tuple[datetime | None, datetime | None]]:
    """Recompute the clocks of these cases and store ``sla_policy``, ``customer_waiting_since``,
    ``sla_next_due_at`` and ``sla_next_warn_at`` where they changed. Returns each case's
    (next due, next warning) times.

    Also ends the pauses that are over: a customer's message ends "waiting on the customer",
    a reopened case ends its resolved span. A fixed handful of queries per 1,000 cases (cases,
    pauses, policies, the rare look-ups below, one ``executemany`` update), none per case.
    Runs in the caller's transaction.
    """
    ids = sorted(set(conversation_ids))
    if not ids:
        return {}
    now = now or timezone.now()
    if policies is None:
        policies = load_policies()
    result: dict[int, tuple[datetime | None, datetime | None]] = {}
    chosen: dict[tuple[str, str], SlaPolicy] = {}
    same_shape: dict[tuple[Any, ...], tuple[timedelta | None, timedelta | None]] = {}
    for chunk in chunks(ids):
        cases = load_case_times(chunk)
        _end_finished_pauses(cases, now)
        _set_waiting_since(cases)
        rows = []
        for case in cases.values():
            new = _clock_columns(case, policies, now, chosen, same_shape)
            result[case.id] = new[2], new[3]
            stored = case.sla_next_due_at, case.sla_next_warn_at
            old = (case.sla_policy, case.stored_waiting, *stored)
            if new != old:
                rows.append((*new, case.id))
        _write(rows)
    return result


@dataclass
class NewCaseClocks:
    """Clock columns of cases about to be inserted (``new_case_clocks``)."""

    # case id → (sla_policy, customer_waiting_since, sla_next_due_at, sla_next_warn_at)
    columns: dict[int, tuple[str, datetime | None, datetime | None, datetime | None]]
    # Cases on a round-the-clock policy: their clocks do not depend on when they are computed,
    # so ``refresh_sla`` would store exactly these values as long as nothing else changes
    # the case (no answer, no decision not to reply, no other priority or status).
    settled: set[int]


def new_case_clocks(cases: Sequence[CaseTimes], *, now: datetime | None = None) -> NewCaseClocks:
    """``sla_policy``, ``customer_waiting_since``, ``sla_next_due_at`` and ``sla_next_warn_at``
    of cases about to be inserted (no pauses, never answered), as ``refresh_sla`` would store
    them right after: ingestion inserts new cases with them. ``refresh_sla`` then has nothing
    to write for them, and nothing to read for the settled ones unless something changed
    them in the meantime (the moderation hook's decision not to answer a spam case).
    """
    now = now or timezone.now()
    policies = load_policies()
    chosen: dict[tuple[str, str], SlaPolicy] = {}
    same_shape: dict[tuple[Any, ...], tuple[timedelta | None, timedelta | None]] = {}
    # Round the clock, every new case of a policy has one shape (``_shape``: no pauses, no
    # answer, no stop): its due times are the first such case's, shifted.
    shifted: dict[int, tuple[timedelta | None, timedelta | None]] = {}
    found = NewCaseClocks({}, set())
    for case in cases:
        answered = (case.first_response_at, case.last_agent_reply_at, case.no_reply_at)
        if case.pauses or any(t is not None for t in answered) or stop_time(case) is not None:
            raise ValueError(f"case {case.id} is not new: it has pauses, an answer or a stop")
        case.customer_waiting_since = case.created_at  # never answered: since it began
        policy = _policy_of(case, policies, chosen)
        if not policy.calendar.always_open:
            found.columns[case.id] = _clock_columns(case, policies, now, chosen, same_shape)
            continue
        # No pauses and round the clock: the same values whatever ``now``.
        found.settled.add(case.id)
        created = case.created_at
        offsets = shifted.get(id(policy))
        if offsets is None:
            due, warn = _stored_times(case, policy, now, same_shape)
            shifted[id(policy)] = (
                None if due is None else due - created,
                None if warn is None else warn - created,
            )
        else:
            due = None if offsets[0] is None else created + offsets[0]
            warn = None if offsets[1] is None else created + offsets[1]
        found.columns[case.id] = (policy.name, created, due, warn)
    return found


def _clock_columns(
    case: CaseTimes,
    policies: Sequence[SlaPolicy],
    now: datetime,
    chosen: dict[tuple[str, str], SlaPolicy],
    same_shape: dict[tuple[Any, ...], tuple[timedelta | None, timedelta | None]],
) -> tuple[str, datetime | None, datetime | None, datetime | None]:
    """(policy name, customer waiting since, next due, next warning) of one case."""
    policy = _policy_of(case, policies, chosen)
    due, warn = _stored_times(case, policy, now, same_shape)
    return policy.name, case.customer_waiting_since, due, warn


def _policy_of(
    case: CaseTimes, policies: Sequence[SlaPolicy], chosen: dict[tuple[str, str], SlaPolicy]
) -> SlaPolicy:
    """The case's policy; ``chosen`` remembers the choice per (priority, channel)."""
    key = (case.priority, case.channel)
    policy = chosen.get(key)
    if policy is None:
        policy = chosen[key] = choose_policy(policies, case.priority, case.channel)
    return policy


def _stored_times(
    case: CaseTimes,
    policy: SlaPolicy,
    now: datetime,
    same_shape: dict[tuple[Any, ...], tuple[timedelta | None, timedelta | None]],
) -> tuple[datetime | None, datetime | None]:
    """The case's (next due, next warning) times from the pure clocks.

    On a round-the-clock calendar and without pauses, moving a case in time moves its due
    times by as much, and they do not depend on ``now``: cases of the same shape (the same
    policy and the same facts relative to their creation, typically a batch of new cases)
    share one computation, shifted. Everything else is computed case by case.
    """
    shape = _shape(case, policy)
    if shape is not None and shape in same_shape:
        due_after, warn_after = same_shape[shape]
        return (
            None if due_after is None else case.created_at + due_after,
            None if warn_after is None else case.created_at + warn_after,
        )
    # A pause beginning right now already holds the clock: look a microsecond on.
    pausing = any(p.ended_at is None and p.started_at >= now for p in case.pauses)
    clocks = compute_case_clocks(case, policy, now=now + _INSTANT if pausing else now)
    due, warn = stored_times(clocks)
    if shape is not None:
        same_shape[shape] = (
            None if due is None else due - case.created_at,
            None if warn is None else warn - case.created_at,
        )
    return due, warn


def _shape(case: CaseTimes, policy: SlaPolicy) -> tuple[Any, ...] | None:
    if case.pauses or not policy.calendar.always_open:
        return None
    created = case.created_at
    answered = case.first_response_at is not None or case.no_reply_at is not None
    moments = (
        stop_time(case),
        case.first_response_at,
        case.last_agent_reply_at,
        case.no_reply_at,
        # Customer messages matter only once answered (the next-response clock).
        case.customer_waiting_since if answered else None,
        case.last_inbound_at if answered else None,
    )
    return (id(policy), *(None if t is None else t - created for t in moments))


def _write(rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    at = bulk.datetime_adapter()
    qn = connection.ops.quote_name
    table = qn(Conversation._meta.db_table)
    if connection.vendor == "postgresql":
        # One statement over arrays: PostgreSQL pays a round trip per executemany row.
        sets = ", ".join(f"{qn(name)} = v.{name}" for name in _UPDATED)
        names = ", ".join(_UPDATED)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS c SET {sets} FROM unnest(%s::text[], "  # noqa: S608
                "%s::timestamptz[], %s::timestamptz[], %s::timestamptz[], %s::bigint[]) "
                f"AS v({names}, id) WHERE c.{qn('id')} = v.id",
                [list(column) for column in zip(*rows, strict=True)],
            )
        return
    assignments = ", ".join(f"{qn(name)} = %s" for name in _UPDATED)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
            [
                (policy, at(waiting), at(due), at(warn), pk)
                for policy, waiting, due, warn, pk in rows
            ],
        )


def _end_finished_pauses(cases: dict[int, CaseTimes], now: datetime) -> None:
    """End pauses that are over: waiting on the customer ends with their next message (or when
    the case leaves pending), a resolved span ends when the case is open again."""
    answered: list[CaseTimes] = []
    ended: list[tuple[Any, str, int]] = []
    for case in cases.values():
        for pause in case.pauses:
            if pause.ended_at is not None:
                continue
            if pause.cause == PauseCause.RESOLVED and case.status in OPEN_STATUSES:
                end = max(pause.started_at, case.open_at or now)
                pause.ended_at = end
                ended.append((end, "the case was reopened", pause.id))
            elif pause.cause == PauseCause.PENDING and case.status != Status.PENDING:
                pause.ended_at = max(pause.started_at, now)
                ended.append((pause.ended_at, f"the case became {case.status}", pause.id))
            elif pause.cause == PauseCause.PENDING and case.last_inbound_at is not None:
                answered.append(case)
    if answered:
        ended += _end_answered_pauses(answered)
    if ended:
        SlaPause.objects.bulk_update(
            [SlaPause(id=pk, ended_at=end, end_reason=why) for end, why, pk in ended],
            ["ended_at", "end_reason"],
        )


def _end_answered_pauses(cases: list[CaseTimes]) -> list[tuple[Any, str, int]]:
    """Pending cases whose customer wrote after the pause began: the pause ends at that
    message (its platform time, never before the pause began)."""
    since = {
        case.id: pause
        for case in cases
        for pause in case.pauses
        if pause.cause == PauseCause.PENDING and pause.ended_at is None
    }
    earliest = min(pause.started_at for pause in since.values())
    first_answer: dict[int, datetime] = {}
    for conversation_id, created, received in Message.objects.filter(
        conversation_id__in=list(since), direction=Direction.INBOUND, received_at__gte=earliest
    ).values_list("conversation_id", "created_at", "received_at"):
        pause = since[conversation_id]
        if received < pause.started_at:
            continue
        moment = max(created, pause.started_at)
        if conversation_id not in first_answer or moment < first_answer[conversation_id]:
            first_answer[conversation_id] = moment
    ended = []
    for conversation_id, moment in first_answer.items():
        pause = since[conversation_id]
        pause.ended_at = moment
        ended.append((moment, "the customer answered", pause.id))
    return ended


def _set_waiting_since(cases: dict[int, CaseTimes]) -> None:
    """``customer_waiting_since``: the oldest customer message not answered yet. Never answered:
    since the case began. Answered: the first message received after the last reply (its
    platform time, or its arrival when the platform time is before the reply)."""
    need_lookup = []
    for case in cases.values():
        if case.customer_waiting_since is not None:
            continue
        if case.last_agent_reply_at is None and case.no_reply_at is None:
            case.customer_waiting_since = case.created_at
        elif case.last_inbound_at is not None:
            need_lookup.append(case)
    if not need_lookup:
        return
    replied = {
        case.id: max(t for t in (case.last_agent_reply_at, case.no_reply_at) if t is not None)
        for case in need_lookup
    }
    for conversation_id, created, received in Message.objects.filter(
        conversation_id__in=list(replied),
        direction=Direction.INBOUND,
        received_at__gt=min(replied.values()),
    ).values_list("conversation_id", "created_at", "received_at"):
        reply = replied[conversation_id]
        if received <= reply:
            continue
        moment = created if created > reply else received
        case = cases[conversation_id]
        if case.customer_waiting_since is None or moment < case.customer_waiting_since:
            case.customer_waiting_since = moment


def record_agent_reply(conversation_id: int, *, at: datetime) -> None:
    """A person of the team answered: the first response (if it is the first), the end of the
    customer's wait, and fresh clocks. The next sweep records a late answer's breach."""
    previous_due = _due(conversation_id)
    Conversation.objects.filter(pk=conversation_id).update(
        first_response_at=Coalesce("first_response_at", at),
        last_agent_reply_at=at,
        customer_waiting_since=None,
    )
    refresh_sla([conversation_id], now=at)
    if previous_due is not None and previous_due <= at:
        _look_again(conversation_id, at=at)


def record_status_change(conversation_id: int, *, previous: str, to: str, at: datetime) -> None:
    """Pending pauses the resolution clock; leaving pending resumes it. Resolving stops every
    clock; reopening restarts them, with the resolved span counted as a pause. Closing stops
    them for good."""
    previous_due = _due(conversation_id)
    open_pauses = SlaPause.objects.filter(conversation_id=conversation_id, ended_at__isnull=True)
    if previous == Status.PENDING:
        open_pauses.filter(cause=PauseCause.PENDING).update(ended_at=at, end_reason=f"set to {to}")
    if previous == Status.RESOLVED and to != Status.CLOSED:
        open_pauses.filter(cause=PauseCause.RESOLVED).update(ended_at=at, end_reason="reopened")
    if to in (Status.PENDING, Status.RESOLVED) and not open_pauses.filter(cause=to).exists():
        SlaPause.objects.create(conversation_id=conversation_id, cause=to, started_at=at)
    refresh_sla([conversation_id], now=at)
    if previous_due is not None and previous_due <= at:
        _look_again(conversation_id, at=at)


def _look_again(conversation_id: int, *, at: datetime) -> None:
    """A clock stopped after its due time: have the next sweep record the late breach (its
    due time may now be behind the case's stored times, where the sweeper would not look)."""
    SlaSweepMark.objects.update_or_create(
        conversation_id=conversation_id,
        defaults={"next_check_at": at, "checked_at": at},
        create_defaults={"next_check_at": at, "checked_at": at, "due_at": None, "warn_at": None},
    )


def _due(conversation_id: int) -> datetime | None:
    return (
        Conversation.objects.filter(pk=conversation_id)
        .values_list("sla_next_due_at", flat=True)
        .first()
    )


def refresh_open_cases(*, now: datetime | None = None) -> int:
    """Recompute every open case's clocks (after a policy or calendar changed)."""
    ids = list(
        Conversation.objects.filter(status__in=list(OPEN_STATUSES))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    policies = load_policies()
    for chunk in chunks(ids):
        with transaction.atomic():
            refresh_sla(chunk, now=now, policies=policies)
    return len(ids)


# -- the sweeper -----------------------------------------------------------------------------


@dataclass
class SweepResult:
    checked: int = 0
    warnings: int = 0
    breaches: int = 0
    failed: list[int] = field(default_factory=list)


def sweep_sla(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> SweepResult:
    """Record every warning and breach that is due and not recorded yet, once per clock cycle.

    Looks at cases whose stored warning time has passed, except those the sweeper already
    handled at their current due and warning times (``SlaSweepMark``) and that have nothing
    new due, and at cases marked to be looked at again (a clock stopped after its due time).
    Each case is one transaction: one failing case is logged and never aborts the sweep. Safe
    to run twice at once.
    """
    now = now or timezone.now()
    handled = SlaSweepMark.objects.filter(
        conversation=OuterRef("pk"),
        due_at=OuterRef("sla_next_due_at"),
        warn_at=OuterRef("sla_next_warn_at"),
    ).filter(Q(next_check_at__isnull=True) | Q(next_check_at__gt=now))
    ids = list(
        Conversation.objects.filter(sla_next_warn_at__lte=now)
        .exclude(Exists(handled))
        .order_by("sla_next_warn_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    # Cases to look at again although their stored times are ahead: a clock stopped late.
    ids += [
        pk
        for pk in SlaSweepMark.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("conversation_id", flat=True)[:limit]
        if pk not in ids
    ]
    result = SweepResult()
    for pk in ids:
        result.checked += 1
        try:
            warnings, breaches = sweep_case(pk, now=now)
        except Exception:
            log.exception("SLA sweep failed for case %s", pk)
            result.failed.append(pk)
            continue
        result.warnings += warnings
        result.breaches += breaches
    return result


def sweep_case(conversation_id: int, *, now: datetime) -> tuple[int, int]:
    """Record the case's due warnings and breaches (``CaseEvent`` SLA_WARNING / SLA_BREACHED,
    ``data["sla_key"]`` keeps them once per clock cycle), set ``sla_breached_at`` on the first
    breach, and call ``careline.cases.hooks.sla_breached`` for each breach. Returns (warnings,
    breaches) recorded."""
    with transaction.atomic():
        if not load_case_times([conversation_id], lock=True):
            return 0, 0
        policies = load_policies()
        due, warn = refresh_sla([conversation_id], now=now, policies=policies)[conversation_id]
        case = load_case_times([conversation_id])[conversation_id]
        policy = choose_policy(policies, case.priority, case.channel)
        clocks = compute_case_clocks(case, policy, now=now)
        emitted = set(
            CaseEvent.objects.filter(
                conversation_id=conversation_id,
                kind__in=[EventKind.SLA_WARNING, EventKind.SLA_BREACHED],
            ).values_list("data__sla_key", flat=True)
        )
        events = events_due(clocks, now, emitted)
        breaches = [e for e in events if e.kind == "breach"]
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    conversation_id=conversation_id,
                    kind=EventKind.SLA_BREACHED if e.kind == "breach" else EventKind.SLA_WARNING,
                    reason=e.reason,
                    data={
                        "sla_key": e.key,
                        "clock": str(e.clock),
                        "at": e.at.isoformat(),
                        "policy": clocks.policy,
                    },
                    created_at=now,
                )
                for e in events
            ]
        )
        if breaches:
            Conversation.objects.filter(pk=conversation_id, sla_breached_at__isnull=True).update(
                sla_breached_at=min(e.at for e in breaches)
            )
        SlaSweepMark.objects.update_or_create(
            conversation_id=conversation_id,
            defaults={
                "due_at": due,
                "warn_at": warn,
                "next_check_at": _next_check(clocks, now),
                "checked_at": now,
            },
        )
        for e in breaches:
            cases_hooks.sla_breached(conversation_id, clock=str(e.clock), reason=e.reason, at=e.at)
    return len(events) - len(breaches), len(breaches)


def _next_check(clocks: Clocks, now: datetime) -> datetime | None:
    """The next moment something may be due on these clocks as they stand: a running clock's
    warning or due time still ahead. None: nothing until the clocks change."""
    ahead = [
        moment
        for clock in clocks.all()
        if clock.state is ClockState.RUNNING
        for moment in (clock.warn_at, clock.due_at)
        if moment is not None and moment > now
    ]
    return min(ahead, default=None)


# -- settings --------------------------------------------------------------------------------


class SlaSettingsError(ValueError):
    """A setting cannot be saved; ``field`` names the form field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def parse_calendar(
    *,
    tz: str,
    always_open: bool,
    weekly: dict[str, list[list[str]]],
    holidays: Sequence[date | str],
) -> BusinessCalendar:
    """A validated calendar, or SlaSettingsError naming the field (``tz``, ``weekly.monday``,
    ``holidays[2]`` …) as ``BusinessCalendar.from_dict`` reports it."""
    data = {
        "tz": tz,
        "always_open": always_open,
        "weekly": weekly,
        "holidays": [h.isoformat() if isinstance(h, date) else h for h in holidays],
    }
    try:
        return BusinessCalendar.from_dict(data)
    except CalendarError as exc:
        where, _, message = str(exc).partition(": ")
        raise SlaSettingsError(where, message or str(exc)) from exc


def save_business_hours(
    *, name: str, calendar: BusinessCalendar, actor: User, hours: BusinessHours | None = None
) -> BusinessHours:
    """Create (``hours`` None) or update named business hours; open cases are re-timed after
    the commit."""
    name = name.strip()
    if not name:
        raise SlaSettingsError("name", "a name is required")
    clash = BusinessHours.objects.filter(name=name)
    if hours is not None:
        clash = clash.exclude(pk=hours.pk)
    if clash.exists():
        raise SlaSettingsError("name", f"business hours named {name!r} already exist")
    with transaction.atomic():
        if hours is None:
            hours = BusinessHours(name=name)
        hours.name = name
        hours.calendar = calendar.to_dict()
        hours.updated_at = timezone.now()
        hours.updated_by = actor
        hours.save()
        _retime_after_commit()
    return hours


def save_policy(
    *,
    name: str,
    priority: str,
    channel: Channel | None,
    first_response_minutes: int,
    next_response_minutes: int,
    resolution_minutes: int,
    hours: BusinessHours | None,
    warn_before_fraction: float,
    ordering: int,
    actor: User,
    policy: SlaPolicyRow | None = None,
) -> SlaPolicyRow:
    """Create (``policy`` None) or update a policy; open cases are re-timed after the commit.
    Raises SlaSettingsError naming the field."""
    name = name.strip()
    if not name:
        raise SlaSettingsError("name", "a name is required")
    clash = SlaPolicyRow.objects.filter(name=name)
    if policy is not None:
        clash = clash.exclude(pk=policy.pk)
    if clash.exists():
        raise SlaSettingsError("name", f"a policy named {name!r} already exists")
    for field_name, minutes in (
        ("first_response_minutes", first_response_minutes),
        ("next_response_minutes", next_response_minutes),
        ("resolution_minutes", resolution_minutes),
    ):
        if minutes < 1:
            raise SlaSettingsError(field_name, "must be at least 1 minute")
    if not 0 <= warn_before_fraction < 1:
        raise SlaSettingsError("warn_before_fraction", "must be at least 0 and below 1")
    if hours is not None:
        try:
            hours.to_calendar()
        except CalendarError as exc:
            raise SlaSettingsError("hours", f"these business hours are unusable: {exc}") from exc
    with transaction.atomic():
        row = policy or SlaPolicyRow()
        row.name = name
        row.priority = priority
        row.channel = channel
        row.first_response_minutes = first_response_minutes
        row.next_response_minutes = next_response_minutes
        row.resolution_minutes = resolution_minutes
        row.hours = hours
        row.warn_before_fraction = warn_before_fraction
        row.ordering = ordering
        row.updated_at = timezone.now()
        row.updated_by = actor
        try:
            row.to_policy()
        except ValueError as exc:
            where, _, message = str(exc).partition(": ")
            raise SlaSettingsError(where if message else "name", message or str(exc)) from exc
        row.save()
        _retime_after_commit()
    return row


def delete_policy(policy: SlaPolicyRow, *, actor: User) -> None:
    """Remove a policy; its cases fall back to the next match or the built-in default."""
    with transaction.atomic():
        log.info("SLA policy %r deleted by %s", policy.name, actor.username)
        policy.delete()
        _retime_after_commit()


def _retime_after_commit() -> None:
    from careline.sla import tasks

    transaction.on_commit(lambda: tasks.refresh_open_cases.enqueue())
