"""Reads for SLA clocks and the unanswered report, shared by services, web, API and CLI.

The clocks themselves are computed by the pure core (``careline.workflow.sla``); this module
gathers what it needs for many cases at once, in a fixed handful of queries per batch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from careline.accounts.access import visible_conversations
from careline.accounts.models import User
from careline.assessments.models import Kind
from careline.assessments.subjects import redacted_subject, with_redacted_subject
from careline.cases.models import Conversation
from careline.cases.workflow import Status
from careline.lib.idlists import in_list
from careline.sla.models import PauseCause, SlaPause, SlaPolicyRow
from careline.workflow.calendar import CalendarError
from careline.workflow.sla import Clock, Clocks, SlaPolicy, compute_clocks, explain_policy_choice

log = logging.getLogger(__name__)

CHUNK = 1000  # ids per IN (...) list: well under every database's parameter limit
_FIELDS = (
    "id",
    "channel__name",
    "priority",
    "status",
    "created_at",
    "first_response_at",
    "last_agent_reply_at",
    "customer_waiting_since",
    "last_inbound_at",
    "open_at",
    "resolved_at",
    "closed_at",
    "no_reply_at",
    "sla_policy",
    "sla_next_due_at",
    "sla_next_warn_at",
)


@dataclass
class Pause:
    id: int
    cause: str
    started_at: datetime
    ended_at: datetime | None


@dataclass
class CaseTimes:
    """What the clocks of one case are computed from (a row of the case table)."""

    id: int
    channel: str
    priority: str
    status: str
    created_at: datetime
    first_response_at: datetime | None
    last_agent_reply_at: datetime | None
    customer_waiting_since: datetime | None
    last_inbound_at: datetime | None
    open_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    no_reply_at: datetime | None
    sla_policy: str
    sla_next_due_at: datetime | None
    sla_next_warn_at: datetime | None
    pauses: list[Pause] = field(default_factory=list)
    # customer_waiting_since as stored, to tell whether a recomputed value must be written.
    stored_waiting: datetime | None = None

    def __post_init__(self) -> None:
        self.stored_waiting = self.customer_waiting_since


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def load_policies() -> list[SlaPolicy]:
    """Configured policies in order (lowest ``ordering`` first). A row whose calendar cannot be
    read is skipped with a log line, so the built-in default applies rather than no clock."""
    policies = []
    for row in SlaPolicyRow.objects.select_related("channel", "hours").order_by("ordering", "name"):
        try:
            policies.append(row.to_policy())
        except (CalendarError, ValueError) as exc:
            log.error("SLA policy %r skipped: %s", row.name, exc)
    return policies


def load_case_times(ids: Sequence[int], *, lock: bool = False) -> dict[int, CaseTimes]:
    """The clock inputs of these cases, with their pauses: two queries per chunk of ids."""
    found: dict[int, CaseTimes] = {}
    for chunk in chunks(list(ids)):
        queryset = Conversation.objects.filter(in_list("pk", chunk))
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        for values in queryset.values_list(*_FIELDS):
            row = dict(zip(_FIELDS, values, strict=True))
            row["channel"] = row.pop("channel__name")
            found[row["id"]] = CaseTimes(**row)
        for pk, conversation_id, cause, start, end in (
            SlaPause.objects.filter(in_list("conversation_id", chunk))
            .order_by("started_at", "id")
            .values_list("id", "conversation_id", "cause", "started_at", "ended_at")
        ):
            if conversation_id in found:
                found[conversation_id].pauses.append(Pause(pk, cause, start, end))
    return found


def stop_time(case: CaseTimes) -> datetime | None:
    """When the clocks stopped: resolution, or closing (a case closed after being resolved
    stopped when it was resolved). None while the case is open."""
    if case.status == Status.RESOLVED:
        return case.resolved_at
    if case.status == Status.CLOSED:
        still_resolved = [
            p for p in case.pauses if p.cause == PauseCause.RESOLVED and p.ended_at is None
        ]
        return still_resolved[-1].started_at if still_resolved else case.closed_at
    return None


def compute_case_clocks(case: CaseTimes, policy: SlaPolicy, *, now: datetime) -> Clocks:
    """The pure clocks of one case. A recorded decision not to reply counts as the answer
    (it stops the reply clocks, not the resolution clock)."""
    stopped = stop_time(case)
    first = case.first_response_at or case.no_reply_at
    agent = max(
        (t for t in (case.last_agent_reply_at, case.no_reply_at) if t is not None), default=None
    )
    pauses = [
        (p.started_at, p.ended_at)
        for p in case.pauses
        if not (p.ended_at is None and p.cause == PauseCause.RESOLVED and stopped is not None)
    ]
    return compute_clocks(
        policy,
        created_at=case.created_at,
        now=now,
        first_response_at=first,
        last_customer_message_at=case.last_inbound_at,
        last_agent_reply_at=agent,
        paused_intervals=pauses,
        resolved_at=stopped,
        customer_waiting_since=case.customer_waiting_since,
    )


def next_due_clock(clocks: Clocks) -> Clock | None:
    """The active clock due first (the one ``Clocks.next_due_at`` names)."""
    active = [c for c in clocks.all() if c.active and c.due_at is not None]
    return min(active, key=lambda c: c.due_at or c.started_at, default=None)


def stored_times(clocks: Clocks) -> tuple[datetime | None, datetime | None]:
    """(sla_next_due_at, sla_next_warn_at) to store: the earliest due time among active clocks
    and the moment that clock enters its warning (its due time when warnings are off)."""
    clock = next_due_clock(clocks)
    if clock is None:
        return None, None
    return clock.due_at, clock.warn_at or clock.due_at


@dataclass(frozen=True)
class CaseClocks:
    """Clocks of one case for display, with why this policy applies."""

    clocks: Clocks
    policy_reason: str
    paused: bool


def case_clocks(conversation: Conversation, *, now: datetime | None = None) -> CaseClocks | None:
    """The clocks of ``conversation`` now (None if it no longer exists)."""
    now = now or timezone.now()
    case = load_case_times([conversation.pk]).get(conversation.pk)
    if case is None:
        return None
    choice = explain_policy_choice(load_policies(), case.priority, case.channel)
    clocks = compute_case_clocks(case, choice.policy, now=now)
    paused = any(p.ended_at is None and p.cause == PauseCause.PENDING for p in case.pauses)
    return CaseClocks(clocks=clocks, policy_reason=choice.reason, paused=paused)


# -- the unanswered report -------------------------------------------------------------------


def unanswered_complaints(
    user: User | None, *, older_than: timedelta | None = None, now: datetime | None = None
) -> QuerySet[Conversation]:
    """Complaints with neither a reply nor a recorded decision not to reply, not closed, oldest
    first, among the cases ``user`` may see (None: every case, for the command line)."""
    base = visible_conversations(user) if user is not None else Conversation.objects.all()
    queryset = base.filter(
        triage_kind=Kind.COMPLAINT, first_response_at__isnull=True, no_reply_at__isnull=True
    ).filter(~Q(status=Status.CLOSED))
    if older_than is not None:
        queryset = queryset.filter(created_at__lte=(now or timezone.now()) - older_than)
    # The subject is the start of the first post: shown redacted when that post exposes
    # private data, as in the inbox.
    return (
        with_redacted_subject(queryset)
        .select_related("channel", "assignee", "team")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class UnansweredRow:
    id: int
    subject: str
    created_at: datetime
    age: timedelta
    channel: str
    platform: str
    severity: int
    status: str
    priority: str
    assignee: str | None
    team: str | None
    sla_next_due_at: datetime | None


def unanswered_rows(
    user: User | None, *, older_than: timedelta | None = None, now: datetime | None = None
) -> list[UnansweredRow]:
    now = now or timezone.now()
    return [
        UnansweredRow(
            id=case.pk,
            subject=redacted_subject(case),
            created_at=case.created_at,
            age=now - case.created_at,
            channel=case.channel.name,
            platform=case.channel.platform,
            severity=case.triage_severity,
            status=case.status,
            priority=case.priority,
            assignee=case.assignee.username if case.assignee else None,
            team=case.team.name if case.team else None,
            sla_next_due_at=case.sla_next_due_at,
        )
        for case in unanswered_complaints(user, older_than=older_than, now=now)
    ]
