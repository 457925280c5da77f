"""SLA clocks in the web app: the inbox cell, the conversation panel, the nav count.

Every clock is a ``<time>`` element whose text is written here, at render time ("in 12 min",
"1 h overdue") next to the due time; ``careline/sla.js`` only keeps that text moving. Without
JavaScript the page still says when each clock is due.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone

from careline.cases.models import Conversation
from careline.sla.selectors import case_clocks, unanswered_complaints
from careline.workflow.sla import Clock, ClockState

register = template.Library()

_LABELS = {
    "first_response": "First response",
    "next_response": "Next response",
    "resolution": "Resolution",
}


def span(delta: timedelta) -> str:
    """A compact duration, as sla.js writes it: "<1 min", "45 min", "2 h 5 min", "3 d 4 h"."""
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 1:
        return "<1 min"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def clock_text(due: datetime, now: datetime) -> str:
    return f"{span(due - now)} overdue" if due <= now else f"in {span(due - now)}"


def clock_state(due: datetime, warn: datetime | None, now: datetime) -> str:
    if due <= now:
        return "breached"
    if warn is not None and warn <= now:
        return "warning"
    return "running"


@register.inclusion_tag("web/sla/_clock_cell.html")
def sla_cell(case: Conversation) -> dict[str, Any]:
    """The inbox cell: time to the case's next due time, from the stored clock."""
    now = timezone.now()
    due, warn = case.sla_next_due_at, case.sla_next_warn_at
    if due is None:
        waiting = case.status == "pending"
        return {"due": None, "text": "paused" if waiting else "—", "paused": waiting}
    return {
        "due": due,
        "warn": warn,
        "state": clock_state(due, warn, now),
        "text": clock_text(due, now),
        "policy": case.sla_policy,
    }


@register.inclusion_tag("web/sla/_panel.html")
def sla_panel(case: Conversation) -> dict[str, Any]:
    """The conversation page's panel: every clock with its state and reason."""
    now = timezone.now()
    view = case_clocks(case, now=now)
    if view is None:
        return {"clocks": []}
    rows = [_clock_row(clock, now) for clock in view.clocks.all()]
    return {
        "clocks": rows,
        "policy": view.clocks.policy,
        "policy_reason": view.policy_reason,
        "breached_at": case.sla_breached_at,
        "no_reply_at": case.no_reply_at,
        "no_reply_reason": case.no_reply_reason,
    }


def _clock_row(clock: Clock, now: datetime) -> dict[str, Any]:
    state = str(clock.state)
    if clock.state is ClockState.RUNNING and clock.in_warning:
        state = "warning"
    live = clock.active and clock.due_at is not None
    return {
        "name": _LABELS.get(str(clock.name), str(clock.name)),
        "state": state,
        "due": clock.due_at,
        "warn": clock.warn_at,
        "live": live,
        "text": clock_text(clock.due_at, now) if live and clock.due_at else "",
        "reason": clock.reason,
    }


@register.simple_tag(takes_context=True)
def unanswered_count(context: template.Context) -> int:
    """How many complaints wait for a first answer or a decision, among the cases the
    signed-in user may see (0 when nobody is signed in)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unanswered_complaints(user).count()
