"""What follows a change to cases, in one place, so ingestion and the outbox need not know the
apps that react to it (SLA clocks, escalation rules, follow-up).

Each function runs inside the caller's transaction; anything slow or external (notifications,
messages to the customer) is queued with ``transaction.on_commit``.
"""

from __future__ import annotations

from collections.abc import Sequence


def inbound_stored(conversation_ids: Sequence[int]) -> None:
    """A batch of inbound messages was stored and triaged in these cases."""
    if not conversation_ids:
        return
