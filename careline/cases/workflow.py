"""The case lifecycle as data: which status may follow which, and who may set it. Pure."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATUSES = frozenset({Status.NEW, Status.OPEN, Status.PENDING, Status.ESCALATED})

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset(
        {Status.OPEN, Status.PENDING, Status.ESCALATED, Status.RESOLVED, Status.CLOSED}
    ),
    Status.OPEN: frozenset({Status.PENDING, Status.ESCALATED, Status.RESOLVED, Status.CLOSED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ESCALATED, Status.RESOLVED, Status.CLOSED}),
    Status.ESCALATED: frozenset({Status.OPEN, Status.PENDING, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    # Closed is final: a new message after closing starts a new case.
    Status.CLOSED: frozenset(),
}

# Closing ends the record for good, so it is a supervisor's decision.
SUPERVISOR_ONLY_TARGETS = frozenset({Status.CLOSED})


class TransitionError(ValueError):
    """The requested status change is not allowed; the message says why."""


def check_transition(current: str, target: str, *, actor_is_supervisor: bool) -> Status:
    """Return the target status, or raise TransitionError with a reason a person can read."""
    try:
        src, dst = Status(current), Status(target)
    except ValueError as exc:
        raise TransitionError(f"unknown status {target!r}") from exc
    if src == dst:
        raise TransitionError(f"the case is already {dst}")
    if dst not in TRANSITIONS[src]:
        raise TransitionError(f"a {src} case cannot become {dst}")
    if dst in SUPERVISOR_ONLY_TARGETS and not actor_is_supervisor:
        raise TransitionError(f"only a supervisor or admin may set a case to {dst}")
    return dst
