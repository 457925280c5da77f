"""Small presentation helpers. Everything they return is escaped by the template as usual."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date

from careline.accounts.models import User
from careline.assessments.subjects import redacted_subject

register = template.Library()


@register.filter
def event_details(data: Any) -> list[tuple[str, str]]:
    """An event's ``data`` as (key, text) pairs for display; non-dict data becomes one pair."""
    if data in (None, "", {}, []):
        return []
    if not isinstance(data, dict):
        return [("data", _text(data))]
    return [(str(key), _text(value)) for key, value in data.items()]


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@register.filter
def person(user: User | None) -> str:
    """A user's full name, else username; "system" for actions no person took."""
    if user is None:
        return "system"
    return user.get_full_name() or user.username


@register.filter
def credential_keys(credentials: Any) -> str:
    """Which credentials a channel has, by name only: values are secrets."""
    if not isinstance(credentials, dict) or not credentials:
        return "—"
    return ", ".join(sorted(str(key) for key in credentials))


@register.filter
def ago(moment: datetime | None) -> str:
    """A compact relative time for dense lists: "just now", "5 min ago", "3 h ago", "2 d ago";
    from a week back, the date ("Nov 8", with the year when it is not this year)."""
    if moment is None:
        return ""
    now = timezone.now()
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)} d ago"
    local = timezone.localtime(moment)
    return format_date(local, "M j" if local.year == timezone.localtime(now).year else "M j, Y")


@register.filter
def severity_band(points: Any) -> str:
    """The band of a 0-100 triage severity: low (0-24), medium, high, critical (75+)."""
    try:
        value = int(points)
    except (TypeError, ValueError):
        return "low"
    if value >= 75:
        return "critical"
    if value >= 50:
        return "high"
    if value >= 25:
        return "medium"
    return "low"


@register.filter
def assessment_of(message: Any) -> Any:
    """The message's triage result, or None (outbound messages, not triaged yet)."""
    from careline.assessments.models import Assessment

    try:
        return message.assessment
    except (Assessment.DoesNotExist, AttributeError):
        return None


@register.filter
def topic_name(slug: str, names: Any) -> str:
    """A topic's name from a {slug: name} map, else the slug itself."""
    if not slug:
        return ""
    if isinstance(names, dict):
        return str(names.get(slug, slug))
    return slug


@register.filter
def percent(score: Any) -> str:
    """A 0-1 score as a whole percentage ("87 %"); "—" when unknown."""
    if score is None or score == "":
        return "—"
    try:
        return f"{round(float(score) * 100)} %"
    except (TypeError, ValueError):
        return "—"


@register.filter
def subject_of(case: Any) -> str:
    """The case's subject, redacted when its first message exposes private data."""
    return redacted_subject(case)
