"""What follows a change to cases, in one place, so ingestion and the outbox need not know the
apps that react to it (SLA clocks, escalation rules, follow-up).

Each function runs inside the caller's transaction; anything slow or external (notifications,
messages to the customer) is queued with ``transaction.on_commit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class NewCase:
    """A case ingestion is about to insert (status new, normal priority, never answered)."""

    id: int
    channel: str  # the channel's name
    created_at: datetime
    last_inbound_at: datetime
    addressed: bool  # one of its messages is not ``indirect``


NEW_CASE_COLUMNS = (
    "sla_policy",
    "customer_waiting_since",
    "sla_next_due_at",
    "sla_next_warn_at",
    "followup_due_at",
)


@dataclass(frozen=True, slots=True)
class NewCaseColumns:
    values: dict[int, tuple[Any, ...]]  # case id → values of NEW_CASE_COLUMNS
    # Cases whose clocks ``inbound_stored`` need not read again unless it changes them
    # (pass them to it as ``clocks_settled``).
    clocks_settled: frozenset[int]


def new_case_columns(cases: Sequence[NewCase], *, now: datetime) -> NewCaseColumns:
    """Values of ``NEW_CASE_COLUMNS`` for each of these cases, as ``inbound_stored(…,
    now=now)`` would set them on the inserted rows: SLA clocks and the follow-up reminder.

    Ingestion inserts new cases with them rather than rewriting every new row right after
    (on PostgreSQL an update writes a new row version and an entry in each of the case
    table's ~20 indexes). ``inbound_stored`` still refreshes the clocks of every case whose
    clocks could differ: those not settled, and those its hooks change (a case the
    moderation hook decides not to answer).
    """
    if not cases:
        return NewCaseColumns({}, frozenset())
    from careline.cases.models import Priority
    from careline.cases.workflow import Status
    from careline.followup.services import new_case_followup_due
    from careline.sla.selectors import CaseTimes
    from careline.sla.services import new_case_clocks

    clocks = new_case_clocks(
        [
            CaseTimes(
                id=case.id,
                channel=case.channel,
                priority=Priority.NORMAL,
                status=Status.NEW,
                created_at=case.created_at,
                first_response_at=None,
                last_agent_reply_at=None,
                customer_waiting_since=None,
                last_inbound_at=case.last_inbound_at,
                open_at=None,
                resolved_at=None,
                closed_at=None,
                no_reply_at=None,
                sla_policy="",
                sla_next_due_at=None,
                sla_next_warn_at=None,
            )
            for case in cases
        ],
        now=now,
    )
    return NewCaseColumns(
        {
            case.id: (
                *clocks.columns[case.id],
                new_case_followup_due(addressed=case.addressed, now=now),
            )
            for case in cases
        },
        frozenset(clocks.settled),
    )


def inbound_stored(
    conversation_ids: Sequence[int],
    *,
    now: datetime | None = None,
    clocks_settled: frozenset[int] = frozenset(),
) -> None:
    """A batch of inbound messages was stored and triaged in these cases (received at
    ``now``, default: now). ``clocks_settled``: new cases inserted with the clocks
    ``new_case_columns`` computed, whose clocks are refreshed only if a hook changes them."""
    if not conversation_ids:
        return
    # First: an automatic "no reply" (certain spam) must be on the case before SLA clocks run.
    from careline.replies.moderation import on_inbound_stored as moderation_after_inbound

    changed = moderation_after_inbound(conversation_ids)
    from careline.sla.services import refresh_sla

    refresh_sla([pk for pk in conversation_ids if pk not in clocks_settled or pk in changed])
    from careline.escalations.services import after_inbound

    after_inbound(conversation_ids)
    from careline.followup.services import on_inbound_stored

    on_inbound_stored(conversation_ids, now=now)
    from careline.assignment.services import after_inbound as assign_after_inbound

    assign_after_inbound(conversation_ids)


def reply_queued(conversation_id: int, *, public: bool, system: bool, at: datetime) -> None:
    """A reply to the customer was queued (``system``: careline sent it, not an agent)."""
    from careline.sla.services import record_agent_reply

    if not system:  # an automatic message is not the team's answer
        record_agent_reply(conversation_id, at=at)
    from careline.followup.services import on_reply_queued

    on_reply_queued(conversation_id, system=system)


def status_changed(conversation_id: int, *, previous: str, to: str, at: datetime) -> None:
    """The case moved from status ``previous`` to ``to``."""
    from careline.sla.services import record_status_change

    record_status_change(conversation_id, previous=previous, to=to, at=at)
    from careline.followup.services import on_status_changed

    on_status_changed(conversation_id, to=to, at=at)


def priority_changed(conversation_id: int, *, previous: str, to: str, at: datetime) -> None:
    """The case's priority changed (SLA targets follow the priority)."""
    from careline.sla.services import refresh_sla

    refresh_sla([conversation_id], now=at)


def sla_breached(conversation_id: int, *, clock: str, reason: str, at: datetime) -> None:
    """An SLA clock of the case passed its due time (recorded once per clock cycle)."""
    from careline.escalations.services import after_sla_breach

    after_sla_breach(conversation_id)
