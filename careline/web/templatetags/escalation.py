"""The escalation panel on the conversation page and readable rules for the settings page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.escalations.models import Notification
from careline.workflow.facts import FACT_FIELDS
from careline.workflow.rules import Condition, Op

register = template.Library()

_OP_WORDS = {
    Op.EQ: "is",
    Op.NE: "is not",
    Op.GTE: "≥",
    Op.LTE: "≤",
    Op.IN: "is one of",
    Op.CONTAINS: "contains",
}


@register.filter
def describe_condition(condition: Condition) -> str:
    """``severity ≥ 70``, ``safety risk``, ``legal words contains 'gdpr'``."""
    label = FACT_FIELDS[condition.field].label
    if condition.op is Op.IS_TRUE:
        return label
    value = condition.value
    shown = ", ".join(str(v) for v in value) if isinstance(value, tuple) else str(value)
    if isinstance(value, str):
        shown = f"'{value}'"
    return f"{label} {_OP_WORDS[condition.op]} {shown}"


@register.filter
def describe_action(action: Any) -> str:
    return str(action.describe())


def _when(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


@register.inclusion_tag("web/escalations/_panel.html")
def escalation_panel(conversation: Conversation) -> dict[str, Any]:
    """Owner, due time and the path each escalation took (the rules' reasons)."""
    events = CaseEvent.objects.filter(conversation=conversation, kind=EventKind.ESCALATED).order_by(
        "created_at", "id"
    )
    escalations = [
        {
            "at": event.created_at,
            "trigger": (event.data or {}).get("trigger", ""),
            "decisions": (event.data or {}).get("decisions", []),
            "notes": (event.data or {}).get("notes", []),
            "owner": (event.data or {}).get("owner"),
            "owner_reason": (event.data or {}).get("owner_reason", ""),
            "due_at": _when((event.data or {}).get("due_at")),
        }
        for event in events
    ]
    due = conversation.escalation_due_at
    notifications = Notification.objects.filter(conversation=conversation).order_by(
        "created_at", "id"
    )[:20]
    return {
        "conversation": conversation,
        "escalations": escalations,
        "due_at": due,
        "overdue": due is not None and conversation.is_open and due <= timezone.now(),
        "notifications": notifications,
    }
