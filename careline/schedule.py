"""Periodic work, declared in one place. The worker enqueues each task at its interval.

Every task here is idempotent, so several workers enqueuing the same sweep is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Periodic:
    task: str  # dotted path to a django-tasks Task
    every_seconds: int
    why: str


SCHEDULE: tuple[Periodic, ...] = (
    Periodic(
        "careline.ingestion.tasks.sweep_inbound_events",
        60,
        "re-queue stored webhook deliveries no task finished: a lost task never loses an item",
    ),
    Periodic(
        "careline.ingestion.tasks.poll_due_channels",
        60,
        "fetch new mentions and messages from polled platforms (Mastodon, Bluesky, X if set)",
    ),
    Periodic(
        "careline.replies.tasks.sweep_outbox",
        30,
        "retry replies whose delivery failed for a temporary reason, when their back-off is over",
    ),
    Periodic(
        "careline.sla.tasks.sweep_sla",
        30,
        "record each SLA warning and breach once, as it falls due, and start the escalation",
    ),
    Periodic(
        "careline.followup.tasks.sweep_followups",
        60,
        "remind assignees of cases waiting on us; ask again once when a proposed resolution "
        "got no answer",
    ),
    Periodic(
        "careline.escalations.tasks.sweep_notifications",
        30,
        "retry team notifications (e-mail, chat) that failed for a temporary reason",
    ),
    Periodic(
        "careline.escalations.tasks.sweep_overdue_escalations",
        60,
        "tell the owner's supervisor, once, when an escalation passes its due time unanswered",
    ),
    Periodic(
        "careline.assignment.tasks.assign_waiting_cases",
        60,
        "give cases of automatic teams that nobody could take on arrival to whoever is now "
        "available and below their limit",
    ),
)
