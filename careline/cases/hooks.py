"""What follows a change to cases, in one place, so ingestion and the outbox need not know the
apps that react to it (SLA clocks, escalation rules, follow-up).

Each function runs inside the caller's transaction; anything slow or external (notifications,
messages to the customer) is queued with ``transaction.on_commit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime


def inbound_stored(conversation_ids: Sequence[int]) -> None:
    """A batch of inbound messages was stored and triaged in these cases."""
    if not conversation_ids:
        return
    # First: an automatic "no reply" (certain spam) must be on the case before SLA clocks run.
    from careline.replies.moderation import on_inbound_stored as moderation_after_inbound

    moderation_after_inbound(conversation_ids)
    from careline.sla.services import refresh_sla

    refresh_sla(conversation_ids)
    from careline.escalations.services import after_inbound

    after_inbound(conversation_ids)
    from careline.followup.services import on_inbound_stored

    on_inbound_stored(conversation_ids)
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
